# Cloud KMS keys that are not rotated automatically at least every `max_rotation_days` days
# (a parameter of the control, 90 by default). The input is one google_kms_crypto_key in the
# Terraform JSON shape; rotation_period is a duration in seconds with an `s` suffix ("7776000s").
package assay.tf_gcp_kms_key_rotation

max_days := data.assay.parameters.max_rotation_days

max_seconds := max_days * 86400

# Cloud KMS cannot rotate asymmetric keys automatically: they are not judged.
asymmetric if object.get(input, "purpose", "ENCRYPT_DECRYPT") in {"ASYMMETRIC_SIGN", "ASYMMETRIC_DECRYPT"}

seconds(period) := to_number(trim_suffix(period, "s")) if {
	is_string(period)
	regex.match(`^[0-9]+(\.[0-9]+)?s$`, period)
}

deny contains msg if {
	not asymmetric
	not input.rotation_period
	msg := "the key sets no rotation_period, so it is never rotated automatically"
}

deny contains {"msg": msg, "path": ["rotation_period"]} if {
	not asymmetric
	period := input.rotation_period
	not seconds(period)
	msg := sprintf("rotation_period `%v` is not a duration in seconds such as \"7776000s\"", [period])
}

deny contains {"msg": msg, "path": ["rotation_period"]} if {
	not asymmetric
	period := input.rotation_period
	seconds(period) > max_seconds
	msg := sprintf("rotation_period `%v` is %v days, longer than %v", [period, round((seconds(period) / 86400) * 10) / 10, max_days])
}
