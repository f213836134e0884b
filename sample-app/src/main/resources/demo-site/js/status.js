// Renders /status/data into the status page once a second. Text only (textContent), never markup from the server.
(function () {
	'use strict';

	function cell(row, text, className) {
		var td = document.createElement('td');
		td.textContent = text;
		if (className) {
			td.className = className;
		}
		row.appendChild(td);
		return td;
	}

	function bytes(n) {
		if (n < 0) {
			return 'unknown';
		}
		if (n < 1024) {
			return n + ' B';
		}
		if (n < 1024 * 1024) {
			return (n / 1024).toFixed(1) + ' KiB';
		}
		return (n / 1024 / 1024).toFixed(1) + ' MiB';
	}

	function renderPools(pools) {
		var container = document.getElementById('pools');
		container.textContent = '';
		var names = Object.keys(pools);
		if (names.length === 0) {
			var none = document.createElement('p');
			none.className = 'muted';
			none.textContent = 'No gateway route is configured.';
			container.appendChild(none);
			return;
		}
		names.forEach(function (name) {
			var pool = pools[name];
			var heading = document.createElement('h3');
			heading.textContent = name + ' ';
			var badge = document.createElement('span');
			badge.className = 'badge ' + (pool.usable ? 'ok' : 'down');
			badge.textContent = pool.usable ? 'usable' : 'no usable backend';
			heading.appendChild(badge);
			container.appendChild(heading);
			var table = document.createElement('table');
			table.className = 'pool';
			table.dataset.pool = name;
			var head = table.createTHead().insertRow();
			['backend', 'state', 'in flight', 'queued', 'requests', 'failures'].forEach(function (title) {
				var th = document.createElement('th');
				th.textContent = title;
				head.appendChild(th);
			});
			var body = table.createTBody();
			pool.backends.forEach(function (backend) {
				var row = body.insertRow();
				row.dataset.backend = backend.name;
				cell(row, backend.name);
				cell(row, backend.state, 'state ' + backend.state);
				cell(row, backend.inFlight, 'number');
				cell(row, backend.queued, 'number');
				cell(row, backend.requests, 'number');
				cell(row, backend.failures, 'number');
			});
			container.appendChild(table);
		});
	}

	function renderUploads(uploads) {
		var table = document.getElementById('uploads');
		var body = table.tBodies[0];
		body.textContent = '';
		uploads.forEach(function (upload) {
			var row = body.insertRow();
			cell(row, upload.state, 'state');
			cell(row, bytes(upload.received), 'number');
			cell(row, bytes(upload.size), 'number');
			var meter = document.createElement('progress');
			meter.max = 100;
			meter.value = upload.size > 0 ? Math.floor(100 * upload.received / upload.size) : 0;
			row.insertCell().appendChild(meter);
		});
		table.hidden = uploads.length === 0;
		document.getElementById('uploads-none').hidden = uploads.length !== 0;
	}

	function refresh() {
		fetch('/status/data', { cache: 'no-store' })
			.then(function (response) {
				if (!response.ok) {
					throw new Error('HTTP ' + response.status);
				}
				return response.json();
			})
			.then(function (status) {
				renderPools(status.pools);
				renderUploads(status.uploads);
				document.getElementById('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
			})
			.catch(function (error) {
				document.getElementById('updated').textContent = 'Cannot read the status: ' + error.message;
			})
			.finally(function () {
				setTimeout(refresh, 1000);
			});
	}

	refresh();
}());
