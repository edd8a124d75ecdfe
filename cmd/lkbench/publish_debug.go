package main

// TEMPORARY (h5 profiling; removed before hand-off).

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
)

func debugCases(cases []publishCase) []publishCase {
	want := os.Getenv("LKBENCH_CASES")
	if want == "" {
		return cases
	}
	var out []publishCase
	for _, c := range cases {
		if strings.Contains(want, c.Name) {
			out = append(out, c)
		}
	}
	return out
}

func debugPerf(pid int, name string) func() {
	if os.Getenv("LKBENCH_PERF") == "" {
		return func() {}
	}
	cmd := exec.Command("perf", "record", "-F", "999", "-g", "-p", strconv.Itoa(pid), "-o", "/tmp/h5exp/perf-"+strings.ReplaceAll(name, " ", "-")+".data")
	if os.Getenv("LKBENCH_PERF") == "stat" {
		cmd = exec.Command("perf", "stat", "-e", "context-switches,syscalls:sys_enter_nanosleep,syscalls:sys_enter_futex,syscalls:sys_enter_poll,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvfrom", "-p", strconv.Itoa(pid))
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return func() {}
	}
	return func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
}

func debugCLIEnv() []string {
	if v := os.Getenv("LKBENCH_CLI_ENV"); v != "" {
		return strings.Fields(v)
	}
	return nil
}
