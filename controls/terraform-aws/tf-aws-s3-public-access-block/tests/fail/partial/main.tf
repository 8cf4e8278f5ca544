resource "aws_s3_bucket" "website" {
  bucket = "acme-website"
}

# restrict_public_buckets is left out and defaults to false: a public bucket policy still works.
resource "aws_s3_bucket_public_access_block" "website" {
  bucket              = aws_s3_bucket.website.id
  block_public_acls   = true
  block_public_policy = false
  ignore_public_acls  = true
}
