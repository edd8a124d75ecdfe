package main

import (
	"strings"
	"testing"
)

// The agent table gives each policy's median and 95th percentile.
func TestAgentReport(t *testing.T) {
	cases := []agentCase{{name: "static"}, {name: "transition"}}
	ours, ref := map[string]*agentResult{}, map[string]*agentResult{}
	for _, c := range cases {
		o, r := &agentResult{right: 20}, &agentResult{right: 19}
		for i := 1; i <= 20; i++ {
			o.ms = append(o.ms, float64(i))
			r.ms = append(r.ms, float64(1000+i))
		}
		ours[c.name], ref[c.name] = o, r
	}
	md := agentReport(20, cases, ours, ref)
	if !strings.Contains(md, "| static | 10 ms | 19 ms | 20/20 | 1010 ms | 1019 ms | 19/20 | 0.01 |") {
		t.Errorf("table:\n%s", md)
	}
	if !strings.Contains(md, "10 ms, met.") {
		t.Errorf("target line:\n%s", md)
	}
}
