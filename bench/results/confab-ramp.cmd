taskset -c 1 loadgen ramp --port PORT --server-pid PID --chats 50 --members 20 --start 1000 --step 2x --seconds 10 --refine 2
