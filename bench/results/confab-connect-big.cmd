taskset -c 1 loadgen connect --port PORT --server-pid PID --sockets 18000 --users 500 --source-ips 4
