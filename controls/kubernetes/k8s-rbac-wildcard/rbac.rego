# Wildcards in the rules of Roles and ClusterRoles (conftest conventions: deny reports a
# failure, warn a warning).
package assay.k8s_rbac_wildcard

noun := {"verbs": "verb", "resources": "resource"}

deny contains {"msg": msg, "path": ["rules", i, field]} if {
	some i, rule in input.rules
	some field, word in noun
	"*" in object.get(rule, field, [])
	msg := sprintf("%s `%s`: rule %d grants every %s (`*`)", [input.kind, input.metadata.name, i, word])
}

warn contains {"msg": msg, "path": ["rules", i, "apiGroups"]} if {
	some i, rule in input.rules
	"*" in object.get(rule, "apiGroups", [])
	not "*" in object.get(rule, "verbs", [])
	not "*" in object.get(rule, "resources", [])
	msg := sprintf("%s `%s`: rule %d applies to every API group (`*`)", [input.kind, input.metadata.name, i])
}
