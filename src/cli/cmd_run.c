/* palisade run: a bundle written for the user and run with the runtime's own
 * code, for people without podman. From a root filesystem directory, an OCI
 * image layout (unpacked safely) or a containers-storage image (its layers
 * mounted as an overlay in a mount namespace only the container sees). */
#include "cli/commands.h"
#include "runtime/bundle_gen.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "supply/cstore.h"
#include "supply/image.h"
#include "supply/unpack.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_DIR_DEFAULT "/run/palisade/bundles"

struct run_opts {
	bool rm, detach, tty, readonly, host_network;
	const char *name, *rootfs, *policy, *root, *workdir, *user;
	char **env, **cap_add, **cap_drop, **annotations;
	struct rt_volume *volumes;
	size_t n_volumes;
	int64_t memory, pids;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade run [OPTIONS] IMAGE [CMD...]\n"
		"       palisade run [OPTIONS] --rootfs DIR -- CMD...\n\n"
		"Runs a command in a hardened container with palisade-runtime's code.\n"
		"IMAGE is an OCI image layout (PATH[:TAG|@DIGEST]) or a containers-storage\n"
		"name (podman's images). Image trust and hardening follow the node policy.\n\n"
		"Options:\n"
		"  --rootfs DIR          use DIR as the root filesystem instead of an image\n"
		"  --rm                  remove the bundle (and unpacked image) when the\n"
		"                        container exits (with -d too)\n"
		"  -d, --detach          run in the background and print the container id\n"
		"  --name NAME           container id (default: pal-<random>)\n"
		"  -t, --tty             give the process a terminal\n"
		"  -e, --env KEY=VALUE   set an environment variable (repeatable)\n"
		"  -w, --workdir DIR     working directory\n"
		"  -u, --user UID[:GID]  run as this user\n"
		"  -v, --volume SRC:DST[:ro]  bind-mount a host directory (repeatable)\n"
		"  --read-only           mount the root filesystem read-only\n"
		"  --network host|none   share the host's network, or none (default)\n"
		"  --memory BYTES        memory limit\n"
		"  --pids-limit N        process limit\n"
		"  --cap-add CAP, --cap-drop CAP|ALL   adjust capabilities (repeatable)\n"
		"  --annotation KEY=VALUE\n"
		"  --policy FILE         node policy (default /etc/palisade/policy.yaml)\n"
		"  --root DIR            runtime state directory (default %s)\n\n"
		"Exit status: the container's (128+N when killed by signal N); 125 when\n"
		"the container could not be run.\n",
		RT_DEFAULT_ROOT);
}

static int parse_int_opt(const char *opt, const char *v, int64_t *out)
{
	int64_t n;
	if (pal_parse_int64(v, &n) < 0 || n <= 0) {
		fprintf(stderr, "palisade run: %s: '%s' is not a positive number\n", opt, v);
		return -1;
	}
	*out = n;
	return 0;
}

static void new_id(char *buf, size_t cap)
{
	unsigned char r[6] = {0};
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		memset(r, (int)getpid(), sizeof(r));
	snprintf(buf, cap, "pal-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5]);
}

static const char *bundle_root(void)
{
	const char *d = getenv("PALISADE_RUN_DIR");
	return d && *d ? d : RUN_DIR_DEFAULT;
}

/* containers-storage layers become the root as an overlay, mounted in a mount
 * namespace of our own: the container's namespace is a copy of it, and the
 * host never sees the mount, so nothing is left behind whatever happens. */
static int mount_cstore_overlay(struct sup_image *img, const char *bundle, const char *rootfs,
				struct pal_err *err)
{
	_cleanup_strv_ char **layers = NULL;
	int r = sup_cstore_layer_dirs(&img->cs, &layers, err);
	if (r < 0)
		return r;
	if (!layers || !layers[0])
		return pal_err_set(err, EINVAL, "%s has no layers", sup_image_name(img));
	struct pal_buf lower;
	pal_buf_init(&lower);
	/* overlayfs lists the topmost lower layer first. */
	for (size_t n = pal_strv_len(layers); n > 0; n--) {
		if (lower.len)
			pal_buf_putc(&lower, ':');
		pal_buf_puts(&lower, layers[n - 1]);
	}
	_cleanup_free_ char *upper = pal_path_join(bundle, "upper");
	_cleanup_free_ char *work = pal_path_join(bundle, "work");
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0) {
		pal_buf_free(&lower);
		return pal_err_sys(err, errno, "create overlay directories in %s", bundle);
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		pal_buf_free(&lower);
		return pal_err_sys(err, errno, "private mount namespace for the image");
	}
	_cleanup_free_ char *data =
	    pal_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower.data, upper, work);
	pal_buf_free(&lower);
	if (mount("overlay", rootfs, "overlay", MS_NODEV, data) < 0)
		return pal_err_sys(err, errno, "mount the image's layers on %s", rootfs);
	return 0;
}

struct prepared {
	char **args;
	char **image_env;
	char *cwd;
	char *image_ref;
	char *image_digest;
};

static void prepared_free(struct prepared *p)
{
	pal_strv_free(p->args);
	pal_strv_free(p->image_env);
	free(p->cwd);
	free(p->image_ref);
	free(p->image_digest);
}

static int prepare_image(const char *ref, char **cmd, const char *bundle, const char *rootfs,
			 struct prepared *p, struct pal_err *err)
{
	struct sup_image *img = NULL;
	int r = sup_image_open(ref, &img, err);
	if (r < 0)
		return r;
	fprintf(stderr, "palisade run: %s (%s)\n", sup_image_name(img), img->manifest_digest);
	if (img->source == SUP_IMAGE_LAYOUT) {
		struct sup_unpack_opts uo = {0};
		struct sup_unpack_stats st = {0};
		if (mkdir(rootfs, 0755) < 0 && errno != EEXIST)
			r = pal_err_sys(err, errno, "create %s", rootfs);
		else
			r = sup_image_unpack(img, rootfs, &uo, &st, err);
		if (r == 0)
			fprintf(stderr, "palisade run: unpacked %llu layers, %llu files\n",
				(unsigned long long)st.layers, (unsigned long long)st.files);
	} else {
		r = mkdir(rootfs, 0755) < 0 ? pal_err_sys(err, errno, "create %s", rootfs)
					    : mount_cstore_overlay(img, bundle, rootfs, err);
	}
	if (r == 0) {
		const struct sup_config *c = &img->config;
		p->args = pal_xcalloc(1, sizeof(char *));
		for (size_t i = 0; c->entrypoint && c->entrypoint[i]; i++)
			pal_strv_push(&p->args, c->entrypoint[i]);
		char **tail = cmd && cmd[0] ? cmd : c->cmd;
		for (size_t i = 0; tail && tail[i]; i++)
			pal_strv_push(&p->args, tail[i]);
		p->image_env = c->env ? pal_strv_dup(c->env) : NULL;
		p->cwd = c->working_dir ? pal_xstrdup(c->working_dir) : NULL;
		p->image_ref = pal_xstrdup(img->reference ? img->reference : ref);
		p->image_digest = pal_xstrdup(img->manifest_digest);
	}
	sup_image_close(img);
	return r;
}

static int parse_user(const char *spec, struct rt_bundle_spec *b)
{
	_cleanup_free_ char *copy = pal_xstrdup(spec);
	char *colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	uint64_t uid, gid = 0;
	if (pal_parse_uint64(copy, &uid) < 0 || uid > UINT32_MAX ||
	    (colon && (pal_parse_uint64(colon + 1, &gid) < 0 || gid > UINT32_MAX))) {
		fprintf(stderr, "palisade run: --user %s: use numeric UID[:GID]\n", spec);
		return -1;
	}
	b->has_user = true;
	b->uid = (uint32_t)uid;
	b->gid = colon ? (uint32_t)gid : (uint32_t)uid;
	return 0;
}

/* With --rm -d nobody waits for the container: a small detached watcher does. */
static void spawn_reaper(const struct rt_globals *g, const char *id, pid_t pid, const char *bundle)
{
	pid_t w = fork();
	if (w != 0)
		return;
	setsid();
	pid_t w2 = fork();
	if (w2 != 0)
		_exit(0);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
	}
	struct pal_err e = {0};
	rt_delete(g, id, true, &e);
	pal_rm_rf(bundle, &e);
	_exit(0);
}

static int run(struct run_opts *o, char **positional, int npos)
{
	struct pal_err err = {0};
	char idbuf[32];
	const char *id = o->name;
	if (!id) {
		new_id(idbuf, sizeof(idbuf));
		id = idbuf;
	}
	if (rt_id_validate(id, &err) < 0) {
		pal_error("--name: %s", err.msg);
		return 125;
	}
	const char *image = NULL;
	char **cmd = positional;
	if (!o->rootfs) {
		if (npos < 1) {
			fprintf(stderr,
				"palisade run: give an IMAGE or --rootfs DIR (see --help)\n");
			return PAL_EXIT_USAGE;
		}
		image = positional[0];
		cmd = positional + 1;
	} else if (npos < 1) {
		fprintf(stderr, "palisade run: --rootfs needs a command after it\n");
		return PAL_EXIT_USAGE;
	}

	const char *dir = bundle_root();
	if (pal_mkdir_p(dir, 0700, &err) < 0) {
		pal_error("%s", err.msg);
		return 125;
	}
	_cleanup_free_ char *bundle = pal_path_join(dir, id);
	if (mkdir(bundle, 0700) < 0) {
		pal_error("bundle %s: %s", bundle,
			  errno == EEXIST ? "a container with this name "
					    "exists (choose another --name)"
					  : strerror(errno));
		return 125;
	}
	struct prepared p = {0};
	char *rootfs = NULL, *json = NULL, *cfg_path = NULL;
	int rc = 125;
	if (image) {
		rootfs = pal_path_join(bundle, "rootfs");
		if (prepare_image(image, cmd, bundle, rootfs, &p, &err) < 0) {
			pal_error("image %s: %s", image, err.msg);
			goto out;
		}
	} else {
		char real[4096];
		if (!realpath(o->rootfs, real)) {
			pal_error("--rootfs %s: %s", o->rootfs, strerror(errno));
			goto out;
		}
		rootfs = pal_xstrdup(real);
		p.args = pal_strv_dup(cmd);
	}

	struct rt_kv ann[34];
	size_t n_ann = 0;
	if (p.image_ref)
		ann[n_ann++] =
		    (struct rt_kv){.key = (char *)"io.palisade.image", .value = p.image_ref};
	if (p.image_digest)
		ann[n_ann++] = (struct rt_kv){.key = (char *)"io.palisade.image.digest",
					      .value = p.image_digest};
	for (size_t i = 0; o->annotations && o->annotations[i] && n_ann < 34; i++) {
		char *eq = strchr(o->annotations[i], '=');
		if (!eq) {
			pal_error("--annotation %s: expected KEY=VALUE", o->annotations[i]);
			goto out;
		}
		*eq = '\0';
		ann[n_ann++] = (struct rt_kv){.key = o->annotations[i], .value = eq + 1};
	}
	struct rt_bundle_spec spec = {.id = id,
				      .rootfs = rootfs,
				      .args = p.args,
				      .image_env = p.image_env,
				      .env = o->env,
				      .cwd = o->workdir ? o->workdir : p.cwd,
				      .tty = o->tty,
				      .readonly = o->readonly,
				      .host_network = o->host_network,
				      .volumes = o->volumes,
				      .n_volumes = o->n_volumes,
				      .memory = o->memory,
				      .pids = o->pids,
				      .cap_add = o->cap_add,
				      .cap_drop = o->cap_drop,
				      .annotations = ann,
				      .n_annotations = n_ann};
	if (o->user && parse_user(o->user, &spec) < 0)
		goto out;
	json = rt_bundle_config_json(&spec, &err);
	cfg_path = pal_path_join(bundle, "config.json");
	if (!json || pal_write_file_replace(cfg_path, json, strlen(json), 0600, &err) < 0) {
		pal_error("%s", err.msg);
		goto out;
	}

	struct rt_globals g = {.root = o->root ? o->root : RT_DEFAULT_ROOT};
	struct rt_create_opts co = {.id = id,
				    .bundle = bundle,
				    .console_fd = -1,
				    .image_ref = p.image_ref,
				    .image_digest = p.image_digest,
				    .name = id,
				    .policy_path = o->policy};
	int status = 0;
	/* A foreground container is deleted from the runtime when it exits, as
	 * `runc run` does; --rm also removes its bundle (and unpacked image). */
	if (rt_run(&g, &co, o->detach, false, &status, &err) < 0) {
		pal_error("%s", err.msg);
		goto out;
	}
	if (o->detach) {
		printf("%s\n", id);
		fflush(stdout);
		if (o->rm) {
			json_t *st = NULL;
			struct pal_err e = {0};
			if (rt_state_json(&g, id, &st, &e) == 0) {
				pid_t pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
				json_decref(st);
				spawn_reaper(&g, id, pid, bundle);
			}
		}
		rc = 0;
		goto done;
	}
	rc = status;
	if (!o->rm)
		goto done;
out : {
	struct pal_err e = {0};
	/* An image overlay lives in our private mount namespace only. */
	if (image && rootfs)
		umount2(rootfs, MNT_DETACH);
	if (pal_rm_rf(bundle, &e) < 0)
		pal_warn("remove bundle: %s", e.msg);
}
done:
	prepared_free(&p);
	free(rootfs);
	free(json);
	free(cfg_path);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {{"rootfs", required_argument, 0, 'R'},
						 {"rm", no_argument, 0, 'X'},
						 {"detach", no_argument, 0, 'd'},
						 {"name", required_argument, 0, 'n'},
						 {"tty", no_argument, 0, 't'},
						 {"env", required_argument, 0, 'e'},
						 {"workdir", required_argument, 0, 'w'},
						 {"user", required_argument, 0, 'u'},
						 {"volume", required_argument, 0, 'v'},
						 {"read-only", no_argument, 0, 'r'},
						 {"network", required_argument, 0, 'N'},
						 {"memory", required_argument, 0, 'm'},
						 {"pids-limit", required_argument, 0, 'p'},
						 {"cap-add", required_argument, 0, 'A'},
						 {"cap-drop", required_argument, 0, 'D'},
						 {"annotation", required_argument, 0, 'a'},
						 {"policy", required_argument, 0, 'P'},
						 {"root", required_argument, 0, 'O'},
						 {"help", no_argument, 0, 'h'},
						 {0, 0, 0, 0}};
	struct run_opts o = {0};
	int rc = PAL_EXIT_USAGE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+dte:w:u:v:h", longopts, NULL)) != -1) {
		struct pal_err err = {0};
		switch (c) {
		case 'R':
			o.rootfs = optarg;
			break;
		case 'X':
			o.rm = true;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 't':
			o.tty = true;
			break;
		case 'e':
			pal_strv_push(&o.env, optarg);
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'r':
			o.readonly = true;
			break;
		case 'A':
			pal_strv_push(&o.cap_add, optarg);
			break;
		case 'D':
			pal_strv_push(&o.cap_drop, optarg);
			break;
		case 'a':
			pal_strv_push(&o.annotations, optarg);
			break;
		case 'P':
			o.policy = optarg;
			break;
		case 'O':
			o.root = optarg;
			break;
		case 'm':
			if (parse_int_opt("--memory", optarg, &o.memory) < 0)
				goto out;
			break;
		case 'p':
			if (parse_int_opt("--pids-limit", optarg, &o.pids) < 0)
				goto out;
			break;
		case 'N':
			if (strcmp(optarg, "host") && strcmp(optarg, "none")) {
				fprintf(stderr, "palisade run: --network must be host or none\n");
				goto out;
			}
			o.host_network = !strcmp(optarg, "host");
			break;
		case 'v':
			o.volumes = pal_xrealloc(o.volumes, (o.n_volumes + 1) * sizeof(*o.volumes));
			if (rt_volume_parse(optarg, &o.volumes[o.n_volumes], &err) < 0) {
				fprintf(stderr, "palisade run: %s\n", err.msg);
				goto out;
			}
			o.n_volumes++;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (o.policy)
		setenv("PALISADE_POLICY", o.policy, 1);
	/* This process becomes the container's init until execve: run it from a
	 * read-only copy of our binary (CVE-2019-5736), as palisade-runtime does. */
	extern char **environ;
	if (rt_seal_self(argv - 1, environ) < 0) {
		pal_error("cannot run from a read-only copy of the palisade binary");
		rc = 125;
		goto out;
	}
	unsetenv("_PALISADE_SEAL_TRIED");
	rc = run(&o, argv + optind, argc - optind);
out:
	pal_strv_free(o.env);
	pal_strv_free(o.cap_add);
	pal_strv_free(o.cap_drop);
	pal_strv_free(o.annotations);
	for (size_t i = 0; i < o.n_volumes; i++)
		rt_volume_free(&o.volumes[i]);
	free(o.volumes);
	return rc;
}
