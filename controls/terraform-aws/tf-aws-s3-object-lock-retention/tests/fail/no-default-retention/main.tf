# Object Lock is on, but without a default rule every object is written unlocked.
resource "aws_s3_bucket" "ledger" {
  bucket              = "acme-ledger-archive"
  object_lock_enabled = true
}
