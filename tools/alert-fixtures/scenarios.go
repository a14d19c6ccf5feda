package main

import (
	"net/url"
	"time"

	"github.com/prometheus/common/model"

	"github.com/prometheus/alertmanager/alert"
)

// Scenario is one routing set-up and the sequence of alert changes sent into it.
type Scenario struct {
	Name    string
	GroupBy []string
	// ExtraRoute, ExtraConfig and ExtraReceivers are YAML spliced into the
	// config: child routes (indented under route:), top-level sections such as
	// inhibit_rules, and receivers besides "ops".
	ExtraRoute     string
	ExtraConfig    string
	ExtraReceivers string
	Alerts         []AlertDef
	Steps          []Step
}

func (s Scenario) alert(id string) (AlertDef, bool) {
	for _, a := range s.Alerts {
		if a.ID == id {
			return a, true
		}
	}
	return AlertDef{}, false
}

// AlertDef is one alert as a Prometheus server would send it.
type AlertDef struct {
	ID           string
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	GeneratorURL string
}

func (d AlertDef) toAlert(endsAt time.Time) *alert.Alert {
	ls := model.LabelSet{}
	for k, v := range d.Labels {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	as := model.LabelSet{}
	for k, v := range d.Annotations {
		as[model.LabelName(k)] = model.LabelValue(v)
	}
	// UpdatedAt is only Alertmanager's own bookkeeping (which update wins a
	// merge); it never reaches a notification.
	return alert.New(model.Alert{
		Labels:       ls,
		Annotations:  as,
		StartsAt:     d.StartsAt,
		EndsAt:       endsAt,
		GeneratorURL: d.GeneratorURL,
	}, time.Now(), false)
}

// Step is one change sent to Alertmanager and the notification it must cause.
type Step struct {
	Name    string
	Changes []Change
	// Expect lists the IDs of the alerts that the notification must contain.
	Expect []string
}

// Change sets an alert's end: zero means firing, a time in the past resolved.
type Change struct {
	ID     string
	EndsAt time.Time
}

func firing(ids ...string) []Change {
	cs := make([]Change, len(ids))
	for i, id := range ids {
		cs[i] = Change{ID: id}
	}
	return cs
}

func resolved(at time.Time, ids ...string) []Change {
	cs := make([]Change, len(ids))
	for i, id := range ids {
		cs[i] = Change{ID: id, EndsAt: at}
	}
	return cs
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// graphURL is the generatorURL a Prometheus server at base sets for a rule's expression.
func graphURL(base, expr string) string {
	return base + "/graph?g0.expr=" + url.QueryEscape(expr) + "&g0.tab=1"
}

const (
	promBase = "http://prometheus.example:9090"
	// kube-prometheus-stack installed as release "prometheus" in namespace "monitoring".
	kpsPromBase   = "http://prometheus-kube-prometheus-prometheus.monitoring:9090"
	kpsPrometheus = "monitoring/prometheus-kube-prometheus-prometheus"
	kpsRunbooks   = "https://runbooks.prometheus-operator.dev/runbooks"
	ksmInstance   = "10.244.1.7:8080"
	ksmPod        = "prometheus-kube-state-metrics-6d4c9b7f8-q2w7x"
)

// kpsExtraRoute and kpsInhibitRules are kube-prometheus-stack's default
// alertmanager.config (values.yaml): the Watchdog route to the "null" receiver
// and its inhibit rules. Its root receiver "null" is replaced by "ops".
const kpsExtraRoute = `  routes:
  - receiver: 'null'
    matchers:
    - alertname = "Watchdog"
`

const kpsInhibitRules = `inhibit_rules:
- source_matchers:
  - 'severity = critical'
  target_matchers:
  - 'severity =~ warning|info'
  equal:
  - 'namespace'
  - 'alertname'
- source_matchers:
  - 'severity = warning'
  target_matchers:
  - 'severity = info'
  equal:
  - 'namespace'
  - 'alertname'
- source_matchers:
  - 'alertname = InfoInhibitor'
  target_matchers:
  - 'severity = info'
  equal:
  - 'namespace'
- target_matchers:
  - 'alertname = InfoInhibitor'
`

const nullReceiver = "- name: 'null'\n"

func scenarios() []Scenario {
	return []Scenario{
		{
			Name:    "no-grouping",
			GroupBy: []string{},
			Alerts: []AlertDef{
				{
					ID: "cpu",
					Labels: map[string]string{
						"alertname": "HostHighCpuLoad", "instance": "web-01:9100", "job": "node", "severity": "warning",
					},
					Annotations: map[string]string{
						"summary":     "Host high CPU load (instance web-01:9100)",
						"description": "CPU load is > 80%\n  VALUE = 93.41\n  LABELS = map[instance:web-01:9100 job:node]",
					},
					StartsAt:     ts("2025-03-04T09:12:33.581Z"),
					GeneratorURL: graphURL(promBase, `(avg by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[2m]))) > 0.8`),
				},
				{
					ID: "mem",
					Labels: map[string]string{
						"alertname": "HostOutOfMemory", "instance": "db-01:9100", "job": "node", "severity": "critical",
					},
					Annotations: map[string]string{
						"summary":     "Host out of memory (instance db-01:9100)",
						"description": "Node memory is filling up (< 10% left)\n  VALUE = 6.2\n  LABELS = map[instance:db-01:9100 job:node]",
					},
					StartsAt:     ts("2025-03-04T09:13:03.581Z"),
					GeneratorURL: graphURL(promBase, `(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10)`),
				},
			},
			Steps: []Step{
				{Name: "both firing", Changes: firing("cpu", "mem"), Expect: []string{"cpu", "mem"}},
				{Name: "both resolved", Changes: resolved(ts("2025-03-04T09:41:18.581Z"), "cpu", "mem"), Expect: []string{"cpu", "mem"}},
			},
		},
		{
			Name:    "by-alertname",
			GroupBy: []string{"alertname"},
			Alerts: []AlertDef{
				instanceDown("web-01", "2025-03-04T10:02:48.137Z"),
				instanceDown("web-02", "2025-03-04T10:02:48.137Z"),
				instanceDown("db-01", "2025-03-04T10:03:18.137Z"),
			},
			Steps: []Step{
				{Name: "3 firing", Changes: firing("web-01", "web-02", "db-01"), Expect: []string{"web-01", "web-02", "db-01"}},
				{
					Name:    "2 resolved + 1 firing",
					Changes: resolved(ts("2025-03-04T10:17:48.137Z"), "web-02", "db-01"),
					Expect:  []string{"web-01", "web-02", "db-01"},
				},
				{Name: "last one resolved", Changes: resolved(ts("2025-03-04T10:26:18.137Z"), "web-01"), Expect: []string{"web-01"}},
			},
		},
		{
			Name:    "by-alertname-cluster-service",
			GroupBy: []string{"alertname", "cluster", "service"},
			Alerts: []AlertDef{
				highErrorRate("checkout-5f7d8b9c4-x7k2p", "10.244.2.15:8080", "7.3"),
				highErrorRate("checkout-5f7d8b9c4-m9q4z", "10.244.3.22:8080", "6.8"),
			},
			Steps: []Step{
				{
					Name:    "2 firing",
					Changes: firing("checkout-5f7d8b9c4-x7k2p", "checkout-5f7d8b9c4-m9q4z"),
					Expect:  []string{"checkout-5f7d8b9c4-x7k2p", "checkout-5f7d8b9c4-m9q4z"},
				},
				{
					Name:    "2 resolved",
					Changes: resolved(ts("2025-03-04T11:38:02.904Z"), "checkout-5f7d8b9c4-x7k2p", "checkout-5f7d8b9c4-m9q4z"),
					Expect:  []string{"checkout-5f7d8b9c4-x7k2p", "checkout-5f7d8b9c4-m9q4z"},
				},
			},
		},
		{
			Name:    "by-everything",
			GroupBy: []string{"..."},
			Alerts: []AlertDef{
				{
					ID: "fs",
					Labels: map[string]string{
						"alertname": "NodeFilesystemAlmostOutOfSpace", "device": "/dev/sda1", "fstype": "ext4",
						"instance": "web-01:9100", "job": "node-exporter", "mountpoint": "/", "severity": "warning",
					},
					Annotations: map[string]string{
						"description": "Filesystem on /dev/sda1, mounted on /, at web-01:9100 has only 4.21% available space left.",
						"runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/node/nodefilesystemalmostoutofspace",
						"summary":     "Filesystem has less than 5% space left.",
					},
					StartsAt:     ts("2025-03-04T12:20:41.266Z"),
					GeneratorURL: graphURL(promBase, "(\n  node_filesystem_avail_bytes{job=\"node-exporter\",fstype!=\"\",mountpoint!=\"\"} / node_filesystem_size_bytes{job=\"node-exporter\",fstype!=\"\",mountpoint!=\"\"} * 100 < 5\nand\n  node_filesystem_readonly{job=\"node-exporter\",fstype!=\"\",mountpoint!=\"\"} == 0\n)"),
				},
			},
			Steps: []Step{
				{Name: "firing", Changes: firing("fs"), Expect: []string{"fs"}},
				{Name: "resolved", Changes: resolved(ts("2025-03-04T13:05:11.266Z"), "fs"), Expect: []string{"fs"}},
			},
		},
		{
			Name:           "kube-prometheus-stack",
			GroupBy:        []string{"namespace"},
			ExtraRoute:     kpsExtraRoute,
			ExtraConfig:    kpsInhibitRules,
			ExtraReceivers: nullReceiver,
			Alerts: []AlertDef{
				{
					ID: "crashloop",
					Labels: map[string]string{
						"alertname": "KubePodCrashLooping", "container": "web", "endpoint": "http",
						"instance": ksmInstance, "job": "kube-state-metrics", "namespace": "shop",
						"pod": "web-7d4f9c-abcde", "prometheus": kpsPrometheus, "reason": "CrashLoopBackOff",
						"service": "prometheus-kube-state-metrics", "severity": "warning",
						"uid": "3f6c2a8e-5b1d-4c7a-9e2f-8d0b1a6c4e93",
					},
					Annotations: map[string]string{
						"description": `Pod shop/web-7d4f9c-abcde (web) is in waiting state (reason: "CrashLoopBackOff") on cluster .`,
						"runbook_url": kpsRunbooks + "/kubernetes/kubepodcrashlooping",
						"summary":     "Pod is crash looping.",
					},
					StartsAt:     ts("2025-03-04T14:31:09.588Z"),
					GeneratorURL: graphURL(kpsPromBase, `max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",namespace=~".*",reason="CrashLoopBackOff"}[5m]) >= 1`),
				},
			},
			Steps: []Step{
				{Name: "firing", Changes: firing("crashloop"), Expect: []string{"crashloop"}},
				{Name: "resolved", Changes: resolved(ts("2025-03-04T14:58:39.588Z"), "crashloop"), Expect: []string{"crashloop"}},
			},
		},
		{
			Name:           "kube-prometheus-stack-node",
			GroupBy:        []string{"namespace"},
			ExtraRoute:     kpsExtraRoute,
			ExtraConfig:    kpsInhibitRules,
			ExtraReceivers: nullReceiver,
			Alerts: []AlertDef{
				{
					// kube_node_status_condition has no namespace, pod or container
					// label, so the kube-state-metrics target's own labels stay on it
					// (honorLabels only lets the metric's labels win where it has them).
					ID: "node",
					Labels: map[string]string{
						"alertname": "KubeNodeNotReady", "condition": "Ready", "container": "kube-state-metrics",
						"endpoint": "http", "instance": ksmInstance, "job": "kube-state-metrics",
						"namespace": "monitoring", "node": "ip-10-0-1-5", "pod": ksmPod, "prometheus": kpsPrometheus,
						"service": "prometheus-kube-state-metrics", "severity": "warning", "status": "true",
					},
					Annotations: map[string]string{
						"description": "ip-10-0-1-5 has been unready for more than 15 minutes on cluster .",
						"runbook_url": kpsRunbooks + "/kubernetes/kubenodenotready",
						"summary":     "Node is not ready.",
					},
					StartsAt:     ts("2025-03-04T15:02:39.588Z"),
					GeneratorURL: graphURL(kpsPromBase, `kube_node_status_condition{condition="Ready",job="kube-state-metrics",status="true"} == 0`),
				},
				{
					ID: "deployment",
					Labels: map[string]string{
						"alertname": "KubeDeploymentReplicasMismatch", "container": "kube-state-metrics",
						"deployment": "web", "endpoint": "http", "instance": ksmInstance, "job": "kube-state-metrics",
						"namespace": "shop", "pod": ksmPod, "prometheus": kpsPrometheus,
						"service": "prometheus-kube-state-metrics", "severity": "warning",
					},
					Annotations: map[string]string{
						"description": "Deployment shop/web has not matched the expected number of replicas for longer than 15 minutes on cluster .",
						"runbook_url": kpsRunbooks + "/kubernetes/kubedeploymentreplicasmismatch",
						"summary":     "Deployment has not matched the expected number of replicas.",
					},
					StartsAt:     ts("2025-03-04T15:04:09.588Z"),
					GeneratorURL: graphURL(kpsPromBase, "(kube_deployment_spec_replicas{job=\"kube-state-metrics\",namespace=~\".*\"} > kube_deployment_status_replicas_available{job=\"kube-state-metrics\",namespace=~\".*\"}) and (changes(kube_deployment_status_replicas_updated{job=\"kube-state-metrics\",namespace=~\".*\"}[10m]) == 0)"),
				},
			},
			Steps: []Step{
				{Name: "KubeNodeNotReady firing", Changes: firing("node"), Expect: []string{"node"}},
				{Name: "KubeDeploymentReplicasMismatch firing", Changes: firing("deployment"), Expect: []string{"deployment"}},
				{Name: "KubeNodeNotReady resolved", Changes: resolved(ts("2025-03-04T15:31:09.588Z"), "node"), Expect: []string{"node"}},
				{Name: "KubeDeploymentReplicasMismatch resolved", Changes: resolved(ts("2025-03-04T15:33:39.588Z"), "deployment"), Expect: []string{"deployment"}},
			},
		},
		{
			Name:    "names-with-spaces",
			GroupBy: []string{"alertname"},
			Alerts: []AlertDef{
				{
					ID: "icmp",
					Labels: map[string]string{
						"alertname": "ICMP ping failed", "instance": "web-01", "job": "blackbox-icmp", "severity": "critical",
					},
					Annotations: map[string]string{
						"summary":     "ICMP ping to web-01 failed",
						"description": "web-01 has not answered ICMP echo requests for 2 minutes.",
					},
					StartsAt:     ts("2025-03-04T16:44:27.003Z"),
					GeneratorURL: graphURL(promBase, `probe_success{job="blackbox-icmp"} == 0`),
				},
			},
			Steps: []Step{
				{Name: "firing", Changes: firing("icmp"), Expect: []string{"icmp"}},
				{Name: "resolved", Changes: resolved(ts("2025-03-04T16:52:57.003Z"), "icmp"), Expect: []string{"icmp"}},
			},
		},
		{
			Name:    "exported-instance",
			GroupBy: []string{"alertname"},
			Alerts: []AlertDef{
				{
					ID: "backup",
					Labels: map[string]string{
						"alertname": "BackupFailed", "exported_instance": "db-01", "exported_job": "backup",
						"instance": "pushgateway:9091", "job": "pushgateway", "severity": "high",
					},
					Annotations: map[string]string{
						"summary":     "Backup on db-01 failed",
						"description": "The last run of backup on db-01 pushed a failure to the Pushgateway.",
					},
					StartsAt:     ts("2025-03-05T02:15:44.720Z"),
					GeneratorURL: graphURL(promBase, `backup_last_run_success{job="pushgateway"} == 0`),
				},
			},
			Steps: []Step{
				{Name: "firing", Changes: firing("backup"), Expect: []string{"backup"}},
				{Name: "resolved", Changes: resolved(ts("2025-03-05T03:20:14.720Z"), "backup"), Expect: []string{"backup"}},
			},
		},
		{
			Name:    "host-label",
			GroupBy: []string{"alertname", "host"},
			Alerts: []AlertDef{
				{
					ID: "disk",
					Labels: map[string]string{
						"alertname": "DiskFull", "host": "web-02", "path": "/var", "severity": "critical",
					},
					Annotations: map[string]string{
						"summary":     "Disk /var on web-02 is 97% full",
						"description": "disk used_percent on web-02:/var is above 95%.",
					},
					StartsAt:     ts("2025-03-05T07:08:55.112Z"),
					GeneratorURL: graphURL(promBase, `max without (instance, job) (disk_used_percent{path="/var"}) > 95`),
				},
			},
			Steps: []Step{
				{Name: "firing", Changes: firing("disk"), Expect: []string{"disk"}},
				{Name: "resolved", Changes: resolved(ts("2025-03-05T07:49:25.112Z"), "disk"), Expect: []string{"disk"}},
			},
		},
	}
}

func instanceDown(host, startsAt string) AlertDef {
	inst := host + ":9100"
	return AlertDef{
		ID: host,
		Labels: map[string]string{
			"alertname": "InstanceDown", "instance": inst, "job": "node", "severity": "critical",
		},
		Annotations: map[string]string{
			"summary":     "Instance " + inst + " down",
			"description": inst + " of job node has been down for more than 5 minutes.",
		},
		StartsAt:     ts(startsAt),
		GeneratorURL: graphURL(promBase, "up == 0"),
	}
}

func highErrorRate(pod, instance, percent string) AlertDef {
	return AlertDef{
		ID: pod,
		Labels: map[string]string{
			"alertname": "HighErrorRate", "cluster": "prod-eu", "instance": instance, "job": "checkout",
			"namespace": "shop", "pod": pod, "service": "checkout", "severity": "high",
		},
		Annotations: map[string]string{
			"summary":     "High HTTP 5xx rate on checkout",
			"description": "Pod " + pod + " answers " + percent + "% of requests with a 5xx status.",
		},
		StartsAt:     ts("2025-03-04T11:20:32.904Z"),
		GeneratorURL: graphURL(promBase, `sum by (cluster, namespace, service, pod, instance, job) (rate(http_requests_total{code=~"5..",service="checkout"}[5m])) / sum by (cluster, namespace, service, pod, instance, job) (rate(http_requests_total{service="checkout"}[5m])) > 0.05`),
	}
}
