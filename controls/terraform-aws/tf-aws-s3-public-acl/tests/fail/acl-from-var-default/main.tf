variable "public" {
  type    = bool
  default = true
}

variable "buckets" {
  type    = set(string)
  default = ["assets", "media"]
}

resource "aws_s3_bucket" "cdn" {
  for_each = var.buckets
  bucket   = "acme-${each.key}"
  acl      = var.public ? "public-read" : "private"
}
