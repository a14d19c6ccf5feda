import { describe, expect, it } from 'vitest';

import type { Alert } from '../../../src/alerts/alert.js';
import { resolveTarget, senderFamily, type TargetMapping } from '../../../src/alerts/infer/index.js';

const DEVICES = { devices: new Set(['web-01', 'db-01', 'k8s-node-5', 'edge-7']) };

const alert = (labels: Record<string, string>, over: Partial<Pick<Alert, 'recognizer' | 'title_values'>> = {}) => ({
  labels,
  recognizer: 'alertmanager-webhook',
  title_values: null,
  ...over,
});

describe('resolveTarget', () => {
  it.each<[string, Record<string, string>, string | null, string]>([
    ['a node label naming a known device', { node: 'k8s-node-5', instance: '10.244.1.7:8080' }, 'k8s-node-5', 'label node=k8s-node-5: the known device k8s-node-5'],
    ['exported_instance over the pushgateway’s instance', { exported_instance: 'db-01', instance: 'pushgateway:9091' }, 'db-01', 'label exported_instance=db-01: the known device db-01'],
    ['a host label, case aside', { Host: 'web-01' }, 'web-01', 'label host=web-01: the known device web-01'],
    ['instance when it is a known device, port and all', { instance: 'web-01:9100' }, 'web-01', 'label instance=web-01:9100: the known device web-01'],
    ['no device from a machine label naming none, even when instance would', { node: 'ip-10-0-9-9', instance: 'web-01:9100' }, null, 'label node=ip-10-0-9-9 names no known device'],
    ['no device from an unknown instance', { instance: '10.244.1.7:8080', job: 'kube-state-metrics' }, null, 'label instance=10.244.1.7:8080 is the address Prometheus scraped (job kube-state-metrics), not a known device'],
    ['no device from node-exporter’s device label', { device: 'web-01' }, null, 'the alert names no machine'],
  ])('%s', (_name, labels, device, reason) => {
    expect(resolveTarget(alert(labels), DEVICES)).toEqual({ device, reason });
  });

  it('takes the first machine label that is a known device', () => {
    expect(resolveTarget(alert({ node: 'gone-1', hostname: 'db-01' }), DEVICES).device).toBe('db-01');
  });

  describe('with ALERT_RULES_FILE targets', () => {
    const targets: TargetMapping[] = [
      { from: ['alertmanager'], labels: ['machine'], map: { '10.0.3.7:9100': 'edge-7' } },
      { from: ['grafana'], labels: [], map: { 'web-01': 'db-01' } },
    ];

    it('reads a configured label before the built-in ones', () => {
      expect(resolveTarget(alert({ machine: 'edge-7', host: 'web-01' }), DEVICES, targets)).toEqual({ device: 'edge-7', reason: 'label machine=edge-7: the known device edge-7' });
    });

    it('maps a value to a device, with or without its port', () => {
      expect(resolveTarget(alert({ instance: '10.0.3.7:9100' }), DEVICES, targets)).toEqual({
        device: 'edge-7',
        reason: 'label instance=10.0.3.7:9100, mapped to edge-7 in ALERT_RULES_FILE targets',
      });
    });

    it('applies a mapping only to the senders it names', () => {
      expect(resolveTarget(alert({ machine: 'edge-7' }, { recognizer: 'grafana-webhook' }), DEVICES, targets).device).toBeNull();
      expect(resolveTarget(alert({ host: 'web-01' }, { recognizer: 'grafana-slack' }), DEVICES, targets).device).toBe('db-01');
    });

    it('refuses a mapping to a device that does not exist', () => {
      const wrong: TargetMapping[] = [{ from: ['*'], labels: [], map: { 'web-01': 'nowhere' } }];
      expect(resolveTarget(alert({ host: 'web-01' }), DEVICES, wrong)).toEqual({ device: null, reason: 'label host=web-01 names no known device' });
    });
  });

  describe('a Slack title’s values', () => {
    const title = (common: string[]) => alert({}, { recognizer: 'alertmanager-slack', title_values: { group: ['InstanceDown'], common } });

    it('take the one known device among them', () => {
      expect(resolveTarget(title(['web-01:9100', 'node', 'critical']), DEVICES)).toEqual({ device: 'web-01', reason: 'the title value web-01:9100: the known device web-01' });
    });

    it('ask when they name several known devices', () => {
      expect(resolveTarget(title(['web-01', 'db-01']), DEVICES)).toEqual({ device: null, reason: 'the title names several known devices (web-01, db-01); which one is meant is not said' });
    });

    it('ask when none is a known device, naming the addresses seen', () => {
      expect(resolveTarget(title(['10.244.1.7:8080', 'kube-state-metrics']), DEVICES).reason).toBe('the title names 10.244.1.7:8080, which is no known device');
      expect(resolveTarget(title(['node']), DEVICES).reason).toBe('the title names no known device');
    });
  });
});

describe('senderFamily', () => {
  it.each([
    ['alertmanager-slack', 'alertmanager'],
    ['alertmanager-webhook', 'alertmanager'],
    ['grafana-slack', 'grafana'],
    ['grafana-webhook', 'grafana'],
    ['generic-webhook', 'webhook'],
    ['rule:diskwatch', 'rules'],
  ])('%s → %s', (recognizer, family) => {
    expect(senderFamily(recognizer)).toBe(family);
  });
});
