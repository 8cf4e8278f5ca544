# Secrets passed into images through ENV or ARG (conftest conventions: deny reports a failure).
# The input is the Dockerfile's instruction list.
package assay.docker_secret_env_arg

secret(name) if {
	# assay's rule for secret names, the one kept evidence is redacted by
	assay.secret_name(name)
}

# ENV gives its keys and values alternately; a value that is a file path names a key file.
deny contains {"msg": msg, "path": [i]} if {
	some i, ins in input
	ins.Cmd == "env"
	some k, key in ins.Value
	k % 2 == 0
	secret(key)
	not startswith(trim(env_value(ins.Value, k), `"'`), "/")
	msg := sprintf("ENV `%s` stores a secret in the image configuration, visible to `docker inspect` and every container process", [key])
}

env_value(values, k) := values[k + 1] if is_string(values[k + 1])

else := ""

# ARG gives its words, each `NAME` or `NAME=default`.
deny contains {"msg": msg, "path": [i]} if {
	some i, ins in input
	ins.Cmd == "arg"
	some word in ins.Value
	name := split(word, "=")[0]
	secret(name)
	msg := sprintf("ARG `%s` passes a secret as a build argument: the steps that use it record it in the image history", [name])
}
