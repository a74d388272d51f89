taskset -c 1 loadgen connect --port PORT --server-pid PID --sockets 2000 --users 200
