/* OCI image documents: descriptors, image manifests (OCI and Docker schema 2),
 * image indexes / manifest lists, image configs, and platform selection.
 * Every parser treats its input as hostile: types, digests and sizes are
 * checked, and errors name the document and the JSON path. */
#ifndef PAL_SUPPLY_OCI_H
#define PAL_SUPPLY_OCI_H

#include "common/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUP_MT_OCI_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define SUP_MT_OCI_INDEX	"application/vnd.oci.image.index.v1+json"
#define SUP_MT_OCI_CONFIG	"application/vnd.oci.image.config.v1+json"
#define SUP_MT_DOCKER_MANIFEST	"application/vnd.docker.distribution.manifest.v2+json"
#define SUP_MT_DOCKER_LIST	"application/vnd.docker.distribution.manifest.list.v2+json"
#define SUP_MT_DOCKER_CONFIG	"application/vnd.docker.container.image.v1+json"
#define SUP_MT_EMPTY		"application/vnd.oci.empty.v1+json"
#define SUP_EMPTY_DIGEST	"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define SUP_ANN_REF_NAME	"org.opencontainers.image.ref.name"
#define SUP_ANN_CONTAINERD_NAME "io.containerd.image.name"

/* Limits on documents read into memory (registries use 4 MiB for manifests). */
#define SUP_MAX_MANIFEST (4u << 20)
#define SUP_MAX_INDEX	 (16u << 20)
#define SUP_MAX_CONFIG	 (8u << 20)

struct sup_platform {
	char *os;
	char *arch;
	char *variant;
};

struct sup_desc {
	char *media_type;
	char *digest;
	int64_t size;
	char *artifact_type;
	json_t *annotations; /* object or NULL; owned reference */
	struct sup_platform platform;
	bool has_platform;
};

struct sup_index {
	char *media_type;
	struct sup_desc *manifests;
	size_t n_manifests;
};

struct sup_manifest {
	char *media_type;
	char *artifact_type;
	struct sup_desc config;
	struct sup_desc *layers;
	size_t n_layers;
	struct sup_desc subject;
	bool has_subject;
	json_t *annotations;
};

struct sup_config {
	char *os;
	char *arch;
	char *variant;
	char **diff_ids; /* NULL-terminated */
	size_t n_diff_ids;
	/* The image's defaults for running it ("config" object), NULL if absent. */
	char **entrypoint;
	char **cmd;
	char **env;
	char *working_dir;
	char *user;
};

enum sup_doc_kind { SUP_DOC_MANIFEST = 1, SUP_DOC_INDEX = 2 };

int sup_desc_parse(json_t *j, const char *path, struct sup_desc *d, struct pal_err *err);
void sup_desc_free(struct sup_desc *d);
void sup_desc_copy(struct sup_desc *dst, const struct sup_desc *src);
const char *sup_desc_annotation(const struct sup_desc *d, const char *key);
/* Builds the JSON form of a descriptor (new reference). */
json_t *sup_desc_to_json(const struct sup_desc *d);

/* Which kind of document data is: by mediaType, else by shape. */
int sup_doc_kind(const char *name, const char *data, size_t len, struct pal_err *err);

int sup_index_parse(const char *name, const char *data, size_t len, struct sup_index *idx,
		    struct pal_err *err);
void sup_index_free(struct sup_index *idx);

int sup_manifest_parse(const char *name, const char *data, size_t len, struct sup_manifest *m,
		       struct pal_err *err);
void sup_manifest_free(struct sup_manifest *m);

int sup_config_parse(const char *name, const char *data, size_t len, struct sup_config *c,
		     struct pal_err *err);
void sup_config_free(struct sup_config *c);

/* The platform this host runs (linux / amd64, arm64, ...). */
void sup_platform_host(struct sup_platform *p); /* static strings, do not free */
/* Picks the index entry for want (os and arch must match; variant when both
 * name one). Returns its position or a negative error listing what exists. */
int sup_index_select(const struct sup_index *idx, const struct sup_platform *want, const char *name,
		     struct pal_err *err);

bool sup_media_type_is_manifest(const char *mt);
bool sup_media_type_is_index(const char *mt);

#endif
