resource "aws_s3_bucket" "builds" {
  bucket = "acme-builds"
}

resource "aws_s3_bucket_acl" "builds" {
  bucket = aws_s3_bucket.builds.id
  acl    = "authenticated-read"
}

# block_public_acls rejects public ACLs set after it, whereas ignore_public_acls = false keeps
# an ACL applied before it in force.
resource "aws_s3_bucket_public_access_block" "builds" {
  bucket                  = aws_s3_bucket.builds.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = false
  restrict_public_buckets = true
}
