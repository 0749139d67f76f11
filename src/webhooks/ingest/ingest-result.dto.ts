export class IngestResultDto {
  /** @example Message */
  type!: string;
  /** The session id @example genfitywa1 */
  token!: string;
  /** stored (applied), duplicate (applied before), raw (type kept as received) @example stored */
  result!: 'stored' | 'duplicate' | 'raw';
}
