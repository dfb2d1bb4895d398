/* palisade admit: the Kubernetes admission webhook, and offline checks of an
 * OCI config or an AdmissionReview against the admission policy. */
#include "admit/oci_check.h"
#include "admit/server/server.h"
#include "admit/webhook.h"
#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: palisade admit serve --listen ADDR --tls-cert FILE --tls-key FILE\n"
	    "                            [--policy FILE] [--ready-file PATH] [--threads N]\n"
	    "                            [--max-request-bytes N]\n"
	    "       palisade admit config [--policy FILE] [--image REF] [--container-id ID]\n"
	    "                            [-o text|json] CONFIG.json|BUNDLE\n"
	    "       palisade admit review [--policy FILE] REVIEW.json\n\n"
	    "serve   Kubernetes ValidatingAdmissionWebhook over HTTPS: POST /validate takes an\n"
	    "        AdmissionReview v1 (Pods and the pod templates of Deployments, ReplicaSets,\n"
	    "        StatefulSets, DaemonSets, Jobs, CronJobs, ReplicationControllers) and\n"
	    "        answers with Pod Security Standards and image trust verdicts; GET /healthz\n"
	    "        answers ok. ADDR is HOST:PORT, [IPv6]:PORT or :PORT (port 0: any free port,\n"
	    "        written to --ready-file). Decisions are logged to stdout as JSON lines.\n"
	    "        SIGHUP re-reads the certificate, key and policy (cert-manager rotation)\n"
	    "        without refusing a connection; if they do not load, the running ones stay.\n"
	    "        SIGTERM stops gracefully.\n"
	    "config  checks an OCI runtime config (config.json or a bundle directory) as\n"
	    "        palisade-runtime create does: capabilities, host namespaces, host paths,\n"
	    "        devices. Exit status 0 admitted, 3 denied, 1 error.\n"
	    "review  decides one AdmissionReview file as the webhook would and prints the\n"
	    "        response. Exit status 0 allowed, 3 denied, 1 error.\n\n"
	    "--policy defaults to $PALISADE_POLICY, else /etc/palisade/policy.yaml if it\n"
	    "exists, else the built-in defaults (see docs/admission.md).\n");
}

static const char *policy_path(const char *given)
{
	if (given)
		return given;
	const char *env = getenv("PALISADE_POLICY");
	if (env && *env)
		return env;
	return pal_path_exists(ADM_POLICY_DEFAULT_PATH) ? ADM_POLICY_DEFAULT_PATH : NULL;
}

static bool want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

static int serve(int argc, char **argv)
{
	struct adm_server_opts o = {0};
	const char *policy = NULL;
	static const struct option longopts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"tls-cert", required_argument, NULL, 'c'},
	    {"tls-key", required_argument, NULL, 'k'},
	    {"policy", required_argument, NULL, 'p'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"threads", required_argument, NULL, 't'},
	    {"max-request-bytes", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0}};
	int ch;
	uint64_t n;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o.listen = optarg;
			break;
		case 'c':
			o.cert_path = optarg;
			break;
		case 'k':
			o.key_path = optarg;
			break;
		case 'p':
			policy = optarg;
			break;
		case 'r':
			o.ready_file = optarg;
			break;
		case 't':
			if (pal_parse_uint64(optarg, &n) < 0 || n < 1 || n > 256) {
				fprintf(stderr,
					"palisade admit serve: --threads must be 1 to 256\n");
				return PAL_EXIT_USAGE;
			}
			o.threads = (unsigned)n;
			break;
		case 'm':
			if (pal_parse_uint64(optarg, &n) < 0 || n < 1024 || n > (64u << 20)) {
				fprintf(stderr, "palisade admit serve: --max-request-bytes must be "
						"1024 to 67108864\n");
				return PAL_EXIT_USAGE;
			}
			o.max_body = (size_t)n;
			break;
		default:
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	if (optind != argc || !o.listen || !o.cert_path || !o.key_path) {
		fprintf(stderr, "palisade admit serve: --listen, --tls-cert and --tls-key are "
				"required (see --help)\n");
		return PAL_EXIT_USAGE;
	}
	o.policy_path = policy_path(policy);
	struct pal_err err = {0};
	if (adm_serve(&o, &err) < 0) {
		fprintf(stderr, "palisade admit serve: %s\n", err.msg);
		return PAL_EXIT_FAILURE;
	}
	return PAL_EXIT_OK;
}

static int load_config(const char *path, struct rt_config *cfg, struct pal_err *err)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return rt_config_load(path, cfg, err);
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, RT_CONFIG_MAX_BYTES, &data, &len, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *copy = pal_xstrdup(path);
	return rt_config_parse(data, len, path, dirname(copy), cfg, err);
}

static int check_config(int argc, char **argv)
{
	const char *policy = NULL, *output = "text";
	struct adm_oci_input in = {0};
	static const struct option longopts[] = {{"policy", required_argument, NULL, 'p'},
						 {"image", required_argument, NULL, 'i'},
						 {"container-id", required_argument, NULL, 'c'},
						 {"output", required_argument, NULL, 'o'},
						 {NULL, 0, NULL, 0}};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			policy = optarg;
			break;
		case 'i':
			in.image_ref = optarg;
			break;
		case 'c':
			in.container_id = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		default:
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (strcmp(output, "text") && strcmp(output, "json"))) {
		fprintf(stderr, "palisade admit config: give one config.json or bundle directory "
				"(-o text or json)\n");
		return PAL_EXIT_USAGE;
	}
	struct pal_err err = {0};
	struct adm_policy *p = NULL;
	if (adm_policy_load(policy_path(policy), &p, &err) < 0) {
		fprintf(stderr, "palisade admit config: %s\n", err.msg);
		return PAL_EXIT_FAILURE;
	}
	struct rt_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	if (load_config(argv[optind], &cfg, &err) < 0) {
		fprintf(stderr, "palisade admit config: %s\n", err.msg);
		adm_policy_free(p);
		return PAL_EXIT_FAILURE;
	}
	if (!in.image_ref)
		in.image_ref = adm_config_image_ref(&cfg);
	struct adm_result res;
	adm_result_init(&res);
	int rc = adm_check_oci_config_ex(p, &cfg, &in, &res);
	if (!strcmp(output, "json")) {
		json_t *j = adm_result_json(&res);
		json_object_set_new(j, "policy", json_string(p->source));
		if (in.image_ref)
			json_object_set_new(j, "image", adm_json_string(in.image_ref));
		char *line = pal_json_dump_line(j);
		fputs(line, stdout);
		free(line);
		json_decref(j);
	} else {
		for (size_t i = 0; i < res.n; i++) {
			const struct adm_finding *f = &res.v[i];
			if (f->excepted)
				printf("excepted (%s:%u): %s\n", p->source, f->exception_line,
				       f->message);
			else
				fprintf(res.deny ? stderr : stdout, "%s: %s\n",
					res.deny ? "denied" : "warning", f->message);
		}
		printf("%s: %s\n", argv[optind],
		       res.deny	  ? "DENIED"
		       : res.warn ? "admitted with warnings (admission.mode: warn)"
				  : "admitted");
	}
	adm_result_free(&res);
	rt_config_free(&cfg);
	adm_policy_free(p);
	return rc < 0 ? PAL_EXIT_DENIED : PAL_EXIT_OK;
}

static int check_review(int argc, char **argv)
{
	const char *policy = NULL;
	static const struct option longopts[] = {{"policy", required_argument, NULL, 'p'},
						 {NULL, 0, NULL, 0}};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'p') {
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
		policy = optarg;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "palisade admit review: give one AdmissionReview JSON file\n");
		return PAL_EXIT_USAGE;
	}
	struct pal_err err = {0};
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (pal_read_file(argv[optind], ADM_REVIEW_MAX_BYTES, &data, &len, &err) < 0) {
		fprintf(stderr, "palisade admit review: %s\n", err.msg);
		return PAL_EXIT_FAILURE;
	}
	struct adm_webhook w;
	if (adm_webhook_init(&w, policy_path(policy), &err) < 0) {
		fprintf(stderr, "palisade admit review: %s\n", err.msg);
		return PAL_EXIT_FAILURE;
	}
	struct adm_review r;
	if (adm_review_parse(data, len, &r, &err) < 0) {
		fprintf(stderr, "palisade admit review: %s: %s\n", argv[optind], err.msg);
		adm_webhook_free(&w);
		return PAL_EXIT_FAILURE;
	}
	struct adm_decision d;
	adm_webhook_decide(&w, &r, &d);
	json_t *resp = adm_review_response(&r, &d);
	char *line = json_dumps(resp, JSON_INDENT(2));
	puts(line);
	free(line);
	json_decref(resp);
	bool allowed = d.allowed;
	adm_decision_free(&d);
	adm_review_free(&r);
	adm_webhook_free(&w);
	return allowed ? PAL_EXIT_OK : PAL_EXIT_DENIED;
}

int cmd_admit(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PAL_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return PAL_EXIT_OK;
	}
	if (want_help(argc - 1, argv + 1)) {
		usage(stdout);
		return PAL_EXIT_OK;
	}
	if (!strcmp(sub, "serve"))
		return serve(argc - 1, argv + 1);
	if (!strcmp(sub, "config"))
		return check_config(argc - 1, argv + 1);
	if (!strcmp(sub, "review"))
		return check_review(argc - 1, argv + 1);
	fprintf(stderr, "palisade admit: unknown subcommand '%s' (serve, config, review)\n", sub);
	return PAL_EXIT_USAGE;
}
