// Command alert-fixtures renders what Prometheus Alertmanager really sends to a
// Slack incoming webhook and to a generic webhook receiver, with its default
// templates, for a few routing scenarios, and writes one JSON fixture per
// scenario.
//
// Nothing here re-implements Alertmanager: each scenario starts Alertmanager's
// own machinery as its app package wires it (config.Load, template.FromGlobs,
// dispatch.NewRoute, receiver.BuildReceiverIntegrations, the in-memory alert
// provider, the silencer and inhibitor, notify.PipelineBuilder with a real
// notification log, and dispatch.Dispatcher), puts alerts into the provider as
// the HTTP API would, and captures the bodies that the slack and webhook
// notifiers POST to a local httptest server. The dispatcher's aggregation
// groups decide what is sent: each flush sends the group's current alerts,
// firing and resolved together, and resolved alerts leave the group after a
// successful send.
//
// The alerts carry fixed StartsAt/EndsAt times in the past, so nothing in the
// output depends on the wall clock.
//
// Usage: go run . -out ../../test/fixtures/alerts/rendered
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/prometheus/alertmanager/alert"
	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/config/receiver"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/eventrecorder"
	"github.com/prometheus/alertmanager/featurecontrol"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/nflog"
	"github.com/prometheus/alertmanager/notify"
	"github.com/prometheus/alertmanager/provider/mem"
	"github.com/prometheus/alertmanager/silence"
	"github.com/prometheus/alertmanager/template"
	"github.com/prometheus/alertmanager/timeinterval"
)

const (
	generatorID = "tools/alert-fixtures: prometheus/alertmanager v0.35.0, default templates"
	externalURL = "http://alertmanager.example:9093"
	// groupInterval is shortened from the usual 5m so that a run takes seconds;
	// it only decides when the dispatcher flushes, never what it sends.
	groupInterval = 2 * time.Second
	// stepTimeout bounds the wait for one notification of each integration.
	stepTimeout = 20 * time.Second
)

func main() {
	out := flag.String("out", "", "directory to write one <scenario>.json into")
	only := flag.String("only", "", "comma-separated scenario names to render (default: all)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: alert-fixtures -out DIR [-only name,...]")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	wanted := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n != "" {
			wanted[n] = true
		}
	}
	for _, sc := range scenarios() {
		if len(wanted) > 0 && !wanted[sc.Name] {
			continue
		}
		fixture, err := render(sc)
		if err != nil {
			fatal(fmt.Errorf("scenario %s: %w", sc.Name, err))
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(fixture); err != nil {
			fatal(err)
		}
		path := filepath.Join(*out, sc.Name+".json")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			fatal(err)
		}
		fmt.Fprintf(os.Stderr, "wrote %s (%d notifications)\n", path, len(fixture.Notifications))
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "alert-fixtures:", err)
	os.Exit(1)
}

// Fixture is the file written for one scenario. Field order is the file's key order.
type Fixture struct {
	Generator     string         `json:"generator"`
	Scenario      string         `json:"scenario"`
	Route         FixtureRoute   `json:"route"`
	Notifications []Notification `json:"notifications"`
}

type FixtureRoute struct {
	GroupBy []string `json:"group_by"`
}

type Notification struct {
	Step    string       `json:"step"`
	Alerts  []InputAlert `json:"alerts"`
	Slack   any          `json:"slack"`
	Webhook any          `json:"webhook"`
}

// InputAlert is what went into Alertmanager for one alert of a notification.
type InputAlert struct {
	Labels map[string]string `json:"labels"`
	Status string            `json:"status"`
}

type capture struct {
	path string
	body []byte
}

// capturer is the HTTP server both notifiers post to.
type capturer struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []capture
	ch  chan struct{}
}

func newCapturer() *capturer {
	c := &capturer{ch: make(chan struct{}, 64)}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.got = append(c.got, capture{path: r.URL.Path, body: body})
		c.mu.Unlock()
		c.ch <- struct{}{}
		// A Slack incoming webhook answers a plain "ok".
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	}))
	return c
}

// take returns the captures so far and forgets them.
func (c *capturer) take() []capture {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = nil
	return got
}

func (c *capturer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

func (c *capturer) waitFor(n int, timeout time.Duration) error {
	deadline := time.After(timeout)
	for c.count() < n {
		select {
		case <-c.ch:
		case <-deadline:
			return fmt.Errorf("timed out after %s waiting for %d requests, got %d", timeout, n, c.count())
		}
	}
	return nil
}

func configYAML(sc Scenario, base string) string {
	var b strings.Builder
	b.WriteString("global:\n  resolve_timeout: 5m\n")
	b.WriteString("route:\n  receiver: ops\n")
	quoted := make([]string, len(sc.GroupBy))
	for i, g := range sc.GroupBy {
		quoted[i] = fmt.Sprintf("%q", g)
	}
	fmt.Fprintf(&b, "  group_by: [%s]\n", strings.Join(quoted, ", "))
	fmt.Fprintf(&b, "  group_wait: 30s\n  group_interval: %s\n  repeat_interval: 4h\n", model.Duration(groupInterval))
	b.WriteString(sc.ExtraRoute)
	b.WriteString(sc.ExtraConfig)
	b.WriteString("receivers:\n")
	b.WriteString(sc.ExtraReceivers)
	b.WriteString("- name: ops\n")
	fmt.Fprintf(&b, "  slack_configs:\n  - api_url: %s/slack\n    channel: '#alerts'\n    send_resolved: true\n", base)
	fmt.Fprintf(&b, "  webhook_configs:\n  - url: %s/webhook\n    send_resolved: true\n", base)
	return b.String()
}

func render(sc Scenario) (*Fixture, error) {
	capt := newCapturer()
	defer capt.srv.Close()

	conf, err := config.Load(configYAML(sc, capt.srv.URL))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	reg := prometheus.NewRegistry()
	ff := featurecontrol.NoopFlags{}
	rec := eventrecorder.NopRecorder()

	// As app/reloader.go does it.
	tmpl, err := template.FromGlobs(conf.Templates)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	tmpl.ExternalURL, err = url.Parse(externalURL)
	if err != nil {
		return nil, err
	}
	routes := dispatch.NewRoute(conf.Route, nil)
	receivers := map[string][]notify.Integration{}
	for _, rcv := range conf.Receivers {
		integrations, err := receiver.BuildReceiverIntegrations(rcv, tmpl, logger)
		if err != nil {
			return nil, fmt.Errorf("receiver %s: %w", rcv.Name, err)
		}
		receivers[rcv.Name] = integrations
	}

	// As app/app.go does it, without clustering, snapshots or maintenance.
	notificationLog, err := nflog.New(nflog.Options{Retention: 120 * time.Hour, Logger: logger, Metrics: reg})
	if err != nil {
		return nil, err
	}
	silences, err := silence.New(silence.Options{Retention: 120 * time.Hour, Logger: logger, Metrics: reg, EventRecorder: rec})
	if err != nil {
		return nil, err
	}
	silencer := silence.NewSilencer(silences, logger, rec)
	alerts, err := mem.NewAlerts(context.Background(), 30*time.Minute, 0, silencer, logger, rec, reg, ff)
	if err != nil {
		return nil, err
	}
	defer alerts.Close()

	intervener := timeinterval.NewIntervener(map[string][]timeinterval.TimeInterval{})
	inhibitor := inhibit.NewInhibitor(alerts, conf.InhibitRules, logger, rec)
	go inhibitor.Run()
	defer inhibitor.Stop()

	var peer notify.Peer // no cluster
	pipeline := notify.NewPipelineBuilder(reg, ff, rec).New(
		receivers,
		func() time.Duration { return 0 },
		inhibitor,
		silencer,
		intervener,
		notificationLog,
		peer,
	)
	disp := dispatch.NewDispatcher(
		alerts,
		routes,
		pipeline,
		intervener,
		func(d time.Duration) time.Duration { return d },
		30*time.Second,
		nil,
		logger,
		rec,
		dispatch.NewDispatcherMetrics(false, reg, ff),
		tmpl,
	)

	state := map[string]*alert.Alert{}
	put := func(step Step) error {
		var batch []*alert.Alert
		for _, ch := range step.Changes {
			def, ok := sc.alert(ch.ID)
			if !ok {
				return fmt.Errorf("step %q: unknown alert %q", step.Name, ch.ID)
			}
			a := def.toAlert(ch.EndsAt)
			if err := a.Validate(); err != nil {
				return fmt.Errorf("alert %s: %w", ch.ID, err)
			}
			state[ch.ID] = a
			batch = append(batch, a)
		}
		return alerts.Put(context.Background(), batch...)
	}

	fixture := &Fixture{
		Generator: generatorID,
		Scenario:  sc.Name,
		Route:     FixtureRoute{GroupBy: sc.GroupBy},
	}

	// The first step's alerts are in the provider before the dispatcher starts,
	// so its initial load groups them all before any group flushes.
	if err := put(sc.Steps[0]); err != nil {
		return nil, err
	}
	go disp.Run(time.Now())
	defer disp.Stop()

	for i, step := range sc.Steps {
		if i > 0 {
			// Let the previous flush finish (nflog entry written, resolved
			// alerts removed from the group) before the next change.
			time.Sleep(200 * time.Millisecond)
			if err := put(step); err != nil {
				return nil, err
			}
		}
		if err := capt.waitFor(2, stepTimeout); err != nil {
			return nil, fmt.Errorf("step %q: %w", step.Name, err)
		}
		got := capt.take()
		if len(got) != 2 {
			return nil, fmt.Errorf("step %q: expected one slack and one webhook request, got %d requests", step.Name, len(got))
		}
		n := Notification{Step: step.Name}
		for _, c := range got {
			v, err := decode(c.body)
			if err != nil {
				return nil, fmt.Errorf("step %q: %s body: %w", step.Name, c.path, err)
			}
			switch c.path {
			case "/slack":
				n.Slack = v
			case "/webhook":
				n.Webhook = v
			default:
				return nil, fmt.Errorf("unexpected request path %q", c.path)
			}
		}
		if n.Slack == nil || n.Webhook == nil {
			return nil, fmt.Errorf("step %q: expected one slack and one webhook request", step.Name)
		}
		inputs, err := inputAlerts(n.Webhook, state, step)
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", step.Name, err)
		}
		n.Alerts = inputs
		fixture.Notifications = append(fixture.Notifications, n)
	}

	// Nothing more may be sent: a repeat within the repeat interval would be a bug here.
	time.Sleep(groupInterval + time.Second)
	if extra := capt.take(); len(extra) > 0 {
		return nil, fmt.Errorf("%d unexpected requests after the last step, first to %s: %s", len(extra), extra[0].path, extra[0].body)
	}
	return fixture, nil
}

// decode turns a captured body into a generic JSON value, numbers kept as sent.
func decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// inputAlerts lists, in the order the webhook body has them, the alerts that
// were put into Alertmanager, and checks that they are exactly those the step
// expects.
func inputAlerts(webhook any, state map[string]*alert.Alert, step Step) ([]InputAlert, error) {
	body, ok := webhook.(map[string]any)
	if !ok {
		return nil, errors.New("webhook body is not an object")
	}
	list, _ := body["alerts"].([]any)
	var inputs []InputAlert
	var seen []string
	for _, item := range list {
		wa, _ := item.(map[string]any)
		fp, _ := wa["fingerprint"].(string)
		found := false
		for id, a := range state {
			if a.Fingerprint().String() != fp {
				continue
			}
			found = true
			seen = append(seen, id)
			labels := map[string]string{}
			for k, v := range a.Labels {
				labels[string(k)] = string(v)
			}
			status := string(a.Status())
			if ws, _ := wa["status"].(string); ws != status {
				return nil, fmt.Errorf("alert %s: webhook says %q, input is %q", id, ws, status)
			}
			inputs = append(inputs, InputAlert{Labels: labels, Status: status})
		}
		if !found {
			return nil, fmt.Errorf("webhook alert with fingerprint %s is not one of the inputs", fp)
		}
	}
	want := slices.Clone(step.Expect)
	slices.Sort(want)
	slices.Sort(seen)
	if !slices.Equal(want, seen) {
		return nil, fmt.Errorf("notification has alerts %v, the step expects %v", seen, want)
	}
	return inputs, nil
}
