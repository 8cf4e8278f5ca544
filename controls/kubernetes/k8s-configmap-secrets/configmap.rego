# ConfigMap keys named like credentials (password, token, api_key, private_key...) that hold
# a value. ConfigMaps are stored and shown in clear: readable by everyone who may read the
# namespace's configuration, printed by kubectl describe, and not encrypted at rest.
package assay.k8s_configmap_secrets

# A key whose last word names a credential: `db_password`, `API-KEY`, `oauth.client_secret`.
credential := `(?i)(^|[_.-])(password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credentials?)$`

deny contains {"msg": msg, "path": ["data", key]} if {
	some key, value in object.get(input, "data", {})
	regex.match(credential, key)
	is_string(value)
	trim_space(value) != ""
	msg := sprintf("ConfigMap `%s` holds `%s`, a key named like a credential: keep it in a Secret", [input.metadata.name, key])
}
