taskset -c 1 loadgen fanout --port PORT --server-pid PID --chats 10 --members 10 --rate 200 --seconds 5 --verify
