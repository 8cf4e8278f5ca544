# Public ACLs left over from a migration; the public access blocks make S3 ignore them.
resource "aws_s3_bucket" "legacy_site" {
  bucket = "acme-legacy-site"
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "legacy_site" {
  bucket                  = aws_s3_bucket.legacy_site.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket" "downloads" {
  bucket = "acme-downloads"
}

resource "aws_s3_bucket_acl" "downloads" {
  bucket = aws_s3_bucket.downloads.id
  acl    = "public-read"
}
