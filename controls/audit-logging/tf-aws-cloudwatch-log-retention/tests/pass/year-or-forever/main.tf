resource "aws_cloudwatch_log_group" "api" {
  name              = "/ecs/api"
  retention_in_days = 400
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/vpc/flow-logs"
  retention_in_days = 365
}

# 0 and an absent retention both mean the events never expire.
resource "aws_cloudwatch_log_group" "audit" {
  name              = "/aws/cloudtrail/audit"
  retention_in_days = 0
}

resource "aws_cloudwatch_log_group" "lambda" {
  name = "/aws/lambda/ingest"
}
