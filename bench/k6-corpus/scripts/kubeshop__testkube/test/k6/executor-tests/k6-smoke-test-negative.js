import http from 'k6/http';

throw new Error("Negative test - expected to fail");