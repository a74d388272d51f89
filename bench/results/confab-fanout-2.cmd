taskset -c 1 loadgen fanout --port PORT --server-pid PID --chats 50 --members 20 --rate 1000 --seconds 20 --verify
