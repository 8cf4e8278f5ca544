resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_vpc" "shared" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::example-flow-logs"
}
