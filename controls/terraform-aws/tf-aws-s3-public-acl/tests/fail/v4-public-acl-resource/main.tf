resource "aws_s3_bucket" "press_kit" {
  bucket = "acme-press-kit"
}

resource "aws_s3_bucket_ownership_controls" "press_kit" {
  bucket = aws_s3_bucket.press_kit.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_acl" "press_kit" {
  depends_on = [aws_s3_bucket_ownership_controls.press_kit]
  bucket     = aws_s3_bucket.press_kit.id
  acl        = "public-read"
}
