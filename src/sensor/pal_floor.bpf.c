// SPDX-License-Identifier: GPL-2.0
/* The benchmark floor: programs attached to the same hooks as pal_sensor.bpf.c
 * that do nothing, so bench/ can tell the cost of attaching from the cost of
 * the sensor's work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pal_floor_exec)
{
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pal_floor_fork)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pal_floor_exit)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pal_floor_sys_exit)
{
	return 0;
}
