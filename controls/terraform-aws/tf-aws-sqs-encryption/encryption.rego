# SQS queues that may store messages unencrypted. The input is one aws_sqs_queue in the
# Terraform JSON shape; expressions are "${...}" strings.
package assay.tf_aws_sqs_encryption

# A KMS key is named: any non-blank string, a reference or variable included.
kms_key if {
	is_string(input.kms_master_key_id)
	regex.match(`\S`, input.kms_master_key_id)
}

sse_on if input.sqs_managed_sse_enabled == true

sse_on if input.sqs_managed_sse_enabled == "true"

deny contains msg if {
	not kms_key
	not "sqs_managed_sse_enabled" in object.keys(input)
	msg := "the queue sets neither kms_master_key_id nor sqs_managed_sse_enabled = true, so its messages may be stored unencrypted"
}

deny contains {"msg": msg, "path": ["sqs_managed_sse_enabled"]} if {
	not kms_key
	value := input.sqs_managed_sse_enabled
	not sse_on
	msg := sprintf("the queue sets sqs_managed_sse_enabled to `%v` and no kms_master_key_id, so its messages may be stored unencrypted", [value])
}
