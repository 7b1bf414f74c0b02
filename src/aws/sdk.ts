import { createRequire } from 'node:module';

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- require() returns any; each caller's declared return type names the module its package id loads
const load = createRequire(import.meta.url) as <Module>(id: string) => Module;

/*
 * The AWS SDK, loaded with require(). Each client package is one CommonJS file; importing it from
 * an ES module makes Node lex that file, and every package it re-exports, for named exports. That
 * doubled the load time here (CloudFormation + EKS: 130 ms imported, 67 ms required), which is
 * most of what a deploy with nothing to do costs. Types still come from `import type`.
 */
export const cloudFormationSdk = (): typeof import('@aws-sdk/client-cloudformation') => load('@aws-sdk/client-cloudformation');
export const cognitoSdk = (): typeof import('@aws-sdk/client-cognito-identity-provider') => load('@aws-sdk/client-cognito-identity-provider');
export const dynamoDbSdk = (): typeof import('@aws-sdk/client-dynamodb') => load('@aws-sdk/client-dynamodb');
export const ec2Sdk = (): typeof import('@aws-sdk/client-ec2') => load('@aws-sdk/client-ec2');
export const ecrSdk = (): typeof import('@aws-sdk/client-ecr') => load('@aws-sdk/client-ecr');
export const eksSdk = (): typeof import('@aws-sdk/client-eks') => load('@aws-sdk/client-eks');
export const elasticLoadBalancingV2Sdk = (): typeof import('@aws-sdk/client-elastic-load-balancing-v2') => load('@aws-sdk/client-elastic-load-balancing-v2');
export const elastiCacheSdk = (): typeof import('@aws-sdk/client-elasticache') => load('@aws-sdk/client-elasticache');
export const iamSdk = (): typeof import('@aws-sdk/client-iam') => load('@aws-sdk/client-iam');
export const route53Sdk = (): typeof import('@aws-sdk/client-route-53') => load('@aws-sdk/client-route-53');
export const s3Sdk = (): typeof import('@aws-sdk/client-s3') => load('@aws-sdk/client-s3');
export const snsSdk = (): typeof import('@aws-sdk/client-sns') => load('@aws-sdk/client-sns');
export const sqsSdk = (): typeof import('@aws-sdk/client-sqs') => load('@aws-sdk/client-sqs');
export const stsSdk = (): typeof import('@aws-sdk/client-sts') => load('@aws-sdk/client-sts');
export const batchSdk = (): typeof import('@aws-sdk/client-batch') => load('@aws-sdk/client-batch');
export const cloudWatchLogsSdk = (): typeof import('@aws-sdk/client-cloudwatch-logs') => load('@aws-sdk/client-cloudwatch-logs');
export const cognitoIdentitySdk = (): typeof import('@aws-sdk/client-cognito-identity') => load('@aws-sdk/client-cognito-identity');
export const kmsSdk = (): typeof import('@aws-sdk/client-kms') => load('@aws-sdk/client-kms');
export const lambdaSdk = (): typeof import('@aws-sdk/client-lambda') => load('@aws-sdk/client-lambda');
export const rdsSdk = (): typeof import('@aws-sdk/client-rds') => load('@aws-sdk/client-rds');
export const secretsManagerSdk = (): typeof import('@aws-sdk/client-secrets-manager') => load('@aws-sdk/client-secrets-manager');
export const sesV2Sdk = (): typeof import('@aws-sdk/client-sesv2') => load('@aws-sdk/client-sesv2');
export const sfnSdk = (): typeof import('@aws-sdk/client-sfn') => load('@aws-sdk/client-sfn');
export const ssmSdk = (): typeof import('@aws-sdk/client-ssm') => load('@aws-sdk/client-ssm');
