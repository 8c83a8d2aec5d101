import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../../../libs/domain/src';
import { IsNotBlank, NOT_BLANK_PATTERN, Optional } from '../common/validation';
import { LIMITS } from '../common/dto';

export class CreatePrincipalDto {
  @ApiProperty({ maxLength: LIMITS.name })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'required for role unit' })
  @Optional()
  @IsUUID()
  unitId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'required for role supervisor' })
  @Optional()
  @IsUUID()
  groupId?: string;
}

export class PrincipalDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiPropertyOptional({ format: 'uuid' }) unitId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) groupId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the campaign of the unit or group: the scope of a unit or supervisor principal' })
  campaignId?: string;
}

export class CreatedPrincipalDto extends PrincipalDto {
  @ApiPropertyOptional({
    description: 'bearer token; shown this once, stored only as its sha256 (absent when the answer is a replay of an Idempotency-Key)',
  })
  token?: string;
}

/**
 * The body as the document states it: the scope fields follow the role (a unit principal names its unit, a
 * supervisor its group, office and auditor neither), which one schema per role says exactly.
 */
export const CREATE_PRINCIPAL_SCHEMA = (() => {
  const name = { type: 'string', maxLength: LIMITS.name, pattern: NOT_BLANK_PATTERN };
  const uuid = { type: 'string', format: 'uuid' };
  const variant = (roles: Role[], scope: Record<string, object>, description: string) => ({
    type: 'object',
    description,
    additionalProperties: false,
    required: ['name', 'role', ...Object.keys(scope)],
    properties: { name, role: { type: 'string', enum: roles }, ...scope },
  });
  return {
    oneOf: [
      variant(['unit'], { unitId: uuid }, 'a unit principal acts for its unit'),
      variant(['supervisor'], { groupId: uuid }, 'a supervisor belongs to a supervisory group'),
      variant(['office', 'auditor'], {}, 'the campaign office and auditors have no scope field'),
    ],
  };
})();
