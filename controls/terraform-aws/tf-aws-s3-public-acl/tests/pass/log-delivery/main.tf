# The log-delivery group is an AWS service principal, not the public.
resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-access-logs"
  acl    = "log-delivery-write"
}

resource "aws_s3_bucket" "cdn_logs" {
  bucket = "acme-cdn-logs"

  grant {
    type        = "Group"
    permissions = ["WRITE", "READ_ACP"]
    uri         = "http://acs.amazonaws.com/groups/s3/LogDelivery"
  }

  grant {
    id          = data.aws_canonical_user_id.current.id
    type        = "CanonicalUser"
    permissions = ["FULL_CONTROL"]
  }
}
