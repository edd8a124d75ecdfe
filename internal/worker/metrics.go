package worker

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric descriptions.
var (
	descPages     = prometheus.NewDesc("lkbrowser_worker_pages", "Pages running.", nil, nil)
	descCapacity  = prometheus.NewDesc("lkbrowser_worker_capacity", "Most pages at once.", nil, nil)
	descLoad      = prometheus.NewDesc("lkbrowser_worker_load", "Load reported to the server, 0..1 (1 when full).", nil, nil)
	descFull      = prometheus.NewDesc("lkbrowser_worker_full", "1 while the worker reports itself full (at capacity or draining).", nil, nil)
	descDraining  = prometheus.NewDesc("lkbrowser_worker_draining", "1 once the worker drains.", nil, nil)
	descCPU       = prometheus.NewDesc("lkbrowser_worker_cpu_busy_ratio", "Busy fraction of the machine's CPUs.", nil, nil)
	descJobs      = prometheus.NewDesc("lkbrowser_worker_jobs_total", "Job offers and ends by outcome.", []string{"outcome"}, nil)
	descMalformed = prometheus.NewDesc("lkbrowser_worker_server_messages_ignored_total", "Server messages ignored, by reason.", []string{"reason"}, nil)

	pageLabels       = []string{"room", "job"}
	descCaptured     = prometheus.NewDesc("lkbrowser_page_frames_captured_total", "Frames captured from the page.", pageLabels, nil)
	descDropped      = prometheus.NewDesc("lkbrowser_page_frames_dropped_total", "Frames captured but replaced before they were encoded.", pageLabels, nil)
	descSent         = prometheus.NewDesc("lkbrowser_page_frames_sent_total", "VP8 frames sent.", pageLabels, nil)
	descKeyframes    = prometheus.NewDesc("lkbrowser_page_keyframes_total", "VP8 keyframes sent.", pageLabels, nil)
	descVideoBytes   = prometheus.NewDesc("lkbrowser_page_video_bytes_total", "VP8 payload bytes sent.", pageLabels, nil)
	descEncode       = prometheus.NewDesc("lkbrowser_page_encode_seconds_total", "CPU time spent in the VP8 encoder.", pageLabels, nil)
	descPageCPU      = prometheus.NewDesc("lkbrowser_page_cpu_seconds_total", "CPU time of the page's browser and display processes.", pageLabels, nil)
	descAudioDropped = prometheus.NewDesc("lkbrowser_page_audio_dropped_total", "10 ms audio frames dropped.", pageLabels, nil)
)

// collector turns the Runner's state into metrics at each scrape.
type collector struct{ r *Runner }

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPages, descCapacity, descLoad, descFull, descDraining, descCPU, descJobs, descMalformed,
		descCaptured, descDropped, descSent, descKeyframes, descVideoBytes, descEncode, descPageCPU, descAudioDropped} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	r := c.r
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	full, load := r.aw.Load()
	gauge(descPages, float64(r.Pages()))
	gauge(descCapacity, float64(r.aw.Capacity()))
	gauge(descLoad, load)
	gauge(descFull, b2f(full))
	gauge(descDraining, b2f(r.aw.Draining()))
	gauge(descCPU, r.cpu.Load())
	st := r.aw.Stats()
	counter(descJobs, float64(st.Accepted), "accepted")
	counter(descJobs, float64(st.Declined), "declined")
	counter(descJobs, float64(st.Ended), "ended")
	counter(descJobs, float64(st.Failed), "failed")
	counter(descMalformed, float64(st.Malformed), "malformed")
	counter(descMalformed, float64(st.Unexpected), "unexpected")

	r.mu.Lock()
	jobs := make([]*pageJob, 0, len(r.active))
	for _, j := range r.active {
		jobs = append(jobs, j)
	}
	r.mu.Unlock()
	for _, j := range jobs {
		l := []string{j.job.Room(), j.job.ID()}
		ps, ss := j.page.Stats(), j.sess.Stats()
		counter(descCaptured, float64(ps.FramesCaptured), l...)
		counter(descDropped, float64(ps.FramesDropped), l...)
		counter(descSent, float64(ss.FramesSent), l...)
		counter(descKeyframes, float64(ss.Keyframes), l...)
		counter(descVideoBytes, float64(ss.VideoBytes), l...)
		counter(descEncode, ss.EncodeTime.Seconds(), l...)
		procs := j.page.Processes()
		counter(descPageCPU, groupCPU(procs.Browser, procs.Display).Seconds(), l...)
		counter(descAudioDropped, float64(ps.AudioDropped+ss.AudioDropped), l...)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Handler serves the worker's metrics in the Prometheus text format, with
// the Go runtime's and the worker process's own.
func (r *Runner) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{r}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: nil})
}
