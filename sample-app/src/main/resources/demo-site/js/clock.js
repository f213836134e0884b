// Part of the demo bundle: shows the time the page was loaded, to prove the second file of the bundle ran too.
(function () {
	'use strict';
	var clock = document.getElementById('bundle-clock');
	if (clock) {
		clock.textContent = 'clock.js ran at ' + new Date().toLocaleTimeString() + '.';
	}
}());
