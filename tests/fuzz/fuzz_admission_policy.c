/* The admission: section of the policy file, then the OCI config check and
 * the namespace lookup with whatever policy it yields. */
#include "admit/oci_check.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char config[] =
    "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"/rootfs\"},"
    " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\","
    "  \"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\", \"CAP_NET_RAW\"]}},"
    " \"annotations\": {\"io.kubernetes.cri.sandbox-id\": \"sb\", \"app\": \"x\"},"
    " \"mounts\": [{\"destination\": \"/s\", \"source\": \"/run/docker.sock\", \"options\": "
    "[\"bind\"]},"
    "  {\"destination\": \"/c\", \"source\": \"/etc/ssl/certs\", \"options\": [\"bind\", \"ro\"]},"
    "  {\"destination\": \"/k\", \"source\": "
    "\"/run/containerd/io.containerd.grpc.v1.cri/sandboxes/sb/x\","
    "   \"options\": [\"bind\"]}],"
    " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
    "  \"devices\": [{\"path\": \"/dev/mem\", \"type\": \"c\", \"major\": 1, \"minor\": 1}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rt_config cfg;
	static int ready;
	if (!ready) {
		struct pal_err err = {0};
		if (rt_config_parse(config, strlen(config), "config.json", "/", &cfg, &err) < 0)
			abort();
		ready = 1;
	}
	struct adm_policy *p = NULL;
	struct pal_err err = {0};
	if (adm_policy_load_buffer("policy.yaml", (const char *)data, size, &p, &err) < 0)
		return 0;
	struct adm_result res;
	adm_result_init(&res);
	adm_check_oci_config(p, &cfg, "registry.example.com/infra/app:1", &res);
	adm_result_free(&res);
	enum adm_level e, w;
	bool exempt;
	adm_k8s_levels(p, "kube-system", &e, &w, &exempt);
	adm_k8s_levels(p, "default", &e, &w, &exempt);
	adm_policy_free(p);
	return 0;
}
