resource "aws_s3_bucket" "this" {
  bucket = "store"
  acl    = "public-read"
}
