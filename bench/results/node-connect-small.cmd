taskset -c 1 loadgen connect --port PORT --server-pid PID --sockets 200 --users 20
