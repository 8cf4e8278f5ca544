bucket_acl = "open"
