<?php
header('Content-Type: text/plain; charset=utf-8');
echo 'Hello, ', htmlspecialchars($_GET['name'] ?? 'world'), ", from PHP ", PHP_VERSION, " behind lighttpd-spring-boot\n";
echo 'SCRIPT_NAME=', $_SERVER['SCRIPT_NAME'], "\n";
