# The ACL comes from a variable with no default and no tfvars value: it is known only after
# apply and no public access block overrides it, so the bucket is not judged (an error
# finding), never passed.
variable "acl" {
  type = string
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-uploads"
  acl    = var.acl
}
