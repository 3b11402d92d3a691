'use strict';

// The repository tests of @wikimedia/jsonschema-tools (structure, robustness, compatibility), as Wikimedia's schema
// repositories run them.
require('@wikimedia/jsonschema-tools').tests.all({ logLevel: 'warn' });
