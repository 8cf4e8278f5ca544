resource "aws_rds_cluster" "orders" {
  cluster_identifier      = "orders-aurora"
  engine                  = "aurora-postgresql"
  engine_version          = "15.4"
  database_name           = "orders"
  master_username         = "orders_admin"
  manage_master_user_password = true
  backup_retention_period = 7
}

resource "aws_rds_cluster_instance" "orders" {
  count              = 2
  identifier         = "orders-aurora-${count.index}"
  cluster_identifier = aws_rds_cluster.orders.id
  instance_class     = "db.r6g.large"
  engine             = aws_rds_cluster.orders.engine
}
