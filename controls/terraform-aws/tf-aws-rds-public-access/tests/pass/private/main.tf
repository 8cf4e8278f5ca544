resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.m6g.large"
  allocated_storage           = 100
  username                    = "orders"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.private.name
  publicly_accessible         = false
}

# publicly_accessible defaults to false.
resource "aws_rds_cluster_instance" "orders_reader" {
  identifier         = "orders-reader"
  cluster_identifier = aws_rds_cluster.orders.id
  instance_class     = "db.r6g.large"
  engine             = "aurora-mysql"
}
