/* AdmissionReview v1 requests: parsing, the Pod Security checks and image
 * references of whatever pod they carry, the response and the log record. */
#include "admit/pss.h"
#include "admit/webhook.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct adm_webhook w;
	static int ready;
	if (!ready) {
		struct pal_err err = {0};
		if (adm_webhook_init(&w, NULL, &err) < 0)
			abort();
		/* restricted everywhere, with warnings: every check runs */
		w.policy->k8s.enforce = ADM_LEVEL_RESTRICTED;
		w.policy->k8s.warn = ADM_LEVEL_RESTRICTED;
		ready = 1;
	}
	struct adm_review r;
	struct pal_err err = {0};
	if (adm_review_parse((const char *)data, size, &r, &err) < 0)
		return 0;
	struct adm_decision d;
	adm_webhook_decide(&w, &r, &d);
	json_decref(adm_review_response(&r, &d));
	json_decref(adm_decision_log(&r, &d));
	/* the baseline pass with its own overrides */
	struct adm_result res;
	adm_result_init(&res);
	adm_pss_check(r.pod_meta, r.pod_spec, ADM_LEVEL_BASELINE, &res);
	adm_result_free(&res);
	adm_decision_free(&d);
	adm_review_free(&r);
	return 0;
}
