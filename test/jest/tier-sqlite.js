'use strict';
process.env.TEST_DB_TIER = 'sqlite';
