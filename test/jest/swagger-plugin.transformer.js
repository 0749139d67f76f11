'use strict';
// The @nestjs/swagger CLI plugin as a ts-jest AST transformer, so e2e tests serve the same
// OpenAPI document as `nest build` (DTO properties from types, class-validator and comments).
const plugin = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-plugin';
module.exports.version = 1;
module.exports.factory = (compiler) =>
  plugin.before({ classValidatorShim: true, introspectComments: true }, compiler.program);
