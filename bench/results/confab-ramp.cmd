taskset -c 1 loadgen ramp --port PORT --server-pid PID --chats 10 --members 10 --start 500 --step 2x --seconds 3 --max 8000
