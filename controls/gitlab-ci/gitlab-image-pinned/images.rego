# Images of a GitLab CI configuration without a version tag or digest (conftest conventions:
# deny reports a failure). The input is one CI configuration file.
package assay.gitlab_image_pinned

# Top-level keys that are not jobs.
keywords := {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script", "spec", "types"}

# Every place that holds an image: the file (global keywords), `default` and each job, with
# the path to it and how to name it.
holders contains [[], "the configuration", input] if is_object(input)

holders contains [["default"], "`default`", input.default] if is_object(input.default)

holders contains [[name], sprintf("job `%s`", [name]), job] if {
	is_object(input)
	some name, job in input
	not name in keywords
	is_object(job)
}

# Each image of a holder: `image` and every `services` entry, as a string or as `name:`.
images contains [array.concat(path, ["image"]), who, "image", holder.image] if {
	some [path, who, holder] in holders
	is_string(holder.image)
}

images contains [array.concat(path, ["image", "name"]), who, "image", holder.image.name] if {
	some [path, who, holder] in holders
	is_string(holder.image.name)
}

images contains [array.concat(path, ["services", i]), who, "service", service] if {
	some [path, who, holder] in holders
	is_array(holder.services)
	some i, service in holder.services
	is_string(service)
}

images contains [array.concat(path, ["services", i, "name"]), who, "service", service.name] if {
	some [path, who, holder] in holders
	is_array(holder.services)
	some i, service in holder.services
	is_string(service.name)
}

# The part after the last `/`, where a tag or digest would be.
last_part(ref) := parts[count(parts) - 1] if parts := split(ref, "/")

deny contains {"msg": msg, "path": path} if {
	some [path, who, kind, ref] in images
	not contains(ref, "$")
	not contains(ref, "@")
	not contains(last_part(ref), ":")
	msg := sprintf("%s uses %s `%s` with no tag, which resolves to `latest`", [who, kind, ref])
}

deny contains {"msg": msg, "path": path} if {
	some [path, who, kind, ref] in images
	not contains(ref, "$")
	not contains(ref, "@")
	endswith(last_part(ref), ":latest")
	msg := sprintf("%s uses %s `%s`, whose `latest` tag changes under it", [who, kind, ref])
}
