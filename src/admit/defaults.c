/* The built-in admission defaults, each with the reason it is there.
 *
 * The capability list holds what gives a container control over the host or
 * the kernel beyond its own namespaces. Left out on purpose, because the
 * engines grant them by default and they stay within the container:
 * CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETUID,
 * CAP_SETGID, CAP_SETPCAP, CAP_SETFCAP (file capabilities stay bounded by the
 * bounding set), CAP_NET_BIND_SERVICE, CAP_NET_RAW (containerd, CRI-O),
 * CAP_SYS_CHROOT, CAP_MKNOD (device access is still governed by the device
 * cgroup), CAP_AUDIT_WRITE. */
#include "policy.h"

#include <linux/capability.h>
#include <stddef.h>

const int adm_default_deny_caps[] = {
    CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_RAWIO,     CAP_DAC_READ_SEARCH,
    CAP_BPF,	   CAP_PERFMON,	   CAP_SYS_BOOT,   CAP_MAC_ADMIN,     CAP_MAC_OVERRIDE,
    CAP_NET_ADMIN, CAP_SYSLOG,	   CAP_SYS_TIME,   CAP_AUDIT_CONTROL,
};
const size_t adm_n_default_deny_caps = sizeof(adm_default_deny_caps) / sizeof(int);

const char *adm_cap_reason(int cap)
{
	switch (cap) {
	case CAP_SYS_ADMIN:
		return "mounts, namespaces, devices and most of the kernel's administration";
	case CAP_SYS_MODULE:
		return "loads kernel modules: arbitrary kernel code";
	case CAP_SYS_PTRACE:
		return "traces and rewrites other processes, the host's too when the pid "
		       "namespace is shared";
	case CAP_SYS_RAWIO:
		return "raw I/O ports and /dev/mem-style access to hardware";
	case CAP_DAC_READ_SEARCH:
		return "open_by_handle_at reads any host file by handle";
	case CAP_BPF:
		return "loads BPF programs into the host kernel";
	case CAP_PERFMON:
		return "kernel tracing and performance monitoring of the whole host";
	case CAP_SYS_BOOT:
		return "reboots the host or loads a new kernel with kexec";
	case CAP_MAC_ADMIN:
		return "changes the host's mandatory access control policy";
	case CAP_MAC_OVERRIDE:
		return "bypasses the host's mandatory access control policy";
	case CAP_NET_ADMIN:
		return "firewall, routing and interface administration; the host's when "
		       "the network namespace is shared";
	case CAP_SYSLOG:
		return "reads kernel addresses and the kernel log";
	case CAP_SYS_TIME:
		return "sets the host's clock";
	case CAP_AUDIT_CONTROL:
		return "changes or disables the host's audit rules";
	default:
		return "denied by admission.capabilities.deny";
	}
}

/* Prefix matches on the symlink-resolved source of a bind mount, except "/"
 * which only matches itself. */
const struct adm_path adm_default_deny_paths[] = {
    {"/", "the host's root filesystem"},
    {"/etc", "the host's configuration"},
    {"/proc", "the host's processes and kernel settings"},
    {"/sys", "the host's kernel and device settings"},
    {"/dev", "the host's devices"},
    {"/boot", "the host's kernel and boot loader"},
    {"/root", "root's home directory"},
    {"/bin", "the host's programs"},
    {"/sbin", "the host's programs"},
    {"/usr", "the host's programs and libraries"},
    {"/lib", "the host's libraries"},
    {"/lib32", "the host's libraries"},
    {"/lib64", "the host's libraries"},
    {"/libx32", "the host's libraries"},
    {"/var/run/docker.sock", "the container engine's socket"},
    {"/run/docker.sock", "the container engine's socket"},
    {"/run/docker", "the container engine's state"},
    {"/var/lib/docker", "the container engine's storage"},
    {"/run/containerd", "the container engine's socket and state"},
    {"/var/lib/containerd", "the container engine's storage"},
    {"/run/crio", "the container engine's socket"},
    {"/var/lib/crio", "the container engine's state"},
    {"/run/podman", "the container engine's socket"},
    {"/run/containers", "the container engine's state"},
    {"/var/lib/containers", "the container engine's storage"},
    {"/run/runc", "the OCI runtime's state"},
    {"/run/crun", "the OCI runtime's state"},
    {"/var/lib/kubelet", "the kubelet's state and credentials"},
    {"/run/systemd", "the init system's sockets"},
    {"/run/dbus", "the system bus socket"},
    {"/var/run/dbus", "the system bus socket"},
    {"/run/palisade", "Palisade's runtime state"},
    {"/var/lib/palisade", "Palisade's signatures, cache and audit log"},
    {"/var/log", "the host's logs"},
};
const size_t adm_n_default_deny_paths =
    sizeof(adm_default_deny_paths) / sizeof(adm_default_deny_paths[0]);

/* Subtrees of denied paths that the engines bind into their own containers:
 * per-container files (resolv.conf, hosts, hostname, shm, .containerenv),
 * named volumes and the kubelet's per-pod volumes. A {placeholder} component
 * must equal this container's id, its pod sandbox's id or its pod's uid (from
 * the CRI annotations), so that no container binds another one's files. */
const struct adm_path adm_default_allow_paths[] = {
    {"/run/containers/storage/overlay-containers/{container-id}",
     "podman's and CRI-O's files for this container"},
    {"/var/lib/containers/storage/overlay-containers/{container-id}",
     "podman's and CRI-O's files for this container"},
    {"/run/containers/storage/overlay-containers/{sandbox-id}", "CRI-O's files for this pod"},
    {"/var/lib/containers/storage/overlay-containers/{sandbox-id}", "CRI-O's files for this pod"},
    {"/var/lib/containers/storage/volumes", "podman's named volumes"},
    {"/run/containerd/io.containerd.grpc.v1.cri/sandboxes/{sandbox-id}",
     "containerd's files for this pod (CRI)"},
    {"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/{sandbox-id}",
     "containerd's files for this pod (CRI)"},
    {"/var/lib/kubelet/pods/{pod-uid}", "the kubelet's volumes of this pod"},
    {"/var/lib/docker/containers/{container-id}", "docker's files for this container"},
    {"/var/lib/docker/volumes", "docker's named volumes"},
};
const size_t adm_n_default_allow_paths =
    sizeof(adm_default_allow_paths) / sizeof(adm_default_allow_paths[0]);

/* Denied paths that read-only binds may still use: time zone data and the
 * host's CA certificates are commonly shared and reveal nothing secret. */
const struct adm_path adm_default_readonly_paths[] = {
    {"/etc/localtime", "the host's time zone"},	       {"/etc/timezone", "the host's time zone"},
    {"/usr/share/zoneinfo", "time zone data"},	       {"/etc/ssl/certs", "CA certificates"},
    {"/etc/pki/ca-trust", "CA certificates"},	       {"/etc/ca-certificates", "CA certificates"},
    {"/usr/share/ca-certificates", "CA certificates"},
};
const size_t adm_n_default_readonly_paths =
    sizeof(adm_default_readonly_paths) / sizeof(adm_default_readonly_paths[0]);
