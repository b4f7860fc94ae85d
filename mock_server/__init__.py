"""In-memory Kazoo 4.3 callflows mock built on the generated handlers."""
