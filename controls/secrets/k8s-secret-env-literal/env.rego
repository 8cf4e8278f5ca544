# Secrets written as literal environment values in the containers of Kubernetes workloads
# (conftest conventions: deny reports a failure).
package assay.k8s_secret_env_literal

# Values that are not a secret: a dependent-variable reference `$(OTHER)`, a template
# placeholder `{{ ... }}` filled in at deploy time, a file path (GOOGLE_APPLICATION_CREDENTIALS
# names a key file) or a switch.
not_a_secret := `^(\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\{\{.*\}\}|(/|\./|\.\./|~/)\S*|(?i:true|false|yes|no|on|off))$`

# The path of the pod spec of each workload kind.
pod_path := ["spec"] if input.kind == "Pod"

pod_path := ["spec", "template", "spec"] if {
	input.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
}

pod_path := ["spec", "jobTemplate", "spec", "template", "spec"] if input.kind == "CronJob"

pod_spec := object.get(input, pod_path, null)

# Every container of the pod spec with its path; parts that are not shaped as Kubernetes
# defines them are skipped rather than failing the evaluation.
containers contains [path, container] if {
	is_object(pod_spec)
	some field in ["containers", "initContainers", "ephemeralContainers"]
	list := object.get(pod_spec, field, [])
	is_array(list)
	some i, container in list
	is_object(container)
	path := array.concat(pod_path, [field, i])
}

# Each result names the offending `value` so that it is reported at its own line.
deny contains {"msg": msg, "path": array.concat(path, ["env", j, "value"])} if {
	some [path, container] in containers
	env := object.get(container, "env", [])
	is_array(env)
	some j, entry in env
	is_object(entry)
	is_string(entry.name)
	# assay's rule for secret names, the one kept evidence is redacted by
	assay.secret_name(entry.name)
	literal(object.get(entry, "value", null))
	msg := sprintf(
		"%s `%s`: container `%s` sets `%s` to a literal value instead of taking it from a Secret",
		[input.kind, name(object.get(input, "metadata", {})), name(container), entry.name],
	)
}

literal(value) if {
	is_string(value)
	value != ""
	not regex.match(not_a_secret, value)
}

literal(value) if is_number(value)

# The `name` of an object, or a stand-in when it has none.
name(x) := x.name if {
	is_object(x)
	is_string(x.name)
} else := "(unnamed)"
