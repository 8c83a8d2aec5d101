// Official holiday arrangements per year (the State Council's notice: days off and weekend days worked), as data
// the office loads, so that a plan for any year counts working days right. 2013 and 2014 come with massline
// (libs/domain's seed calendar); other years are loaded here. The plan editor fills a plan's calendar from them,
// and says which of its years have none.
import { Body, Controller, Get, Param, ParseIntPipe, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import { CN_CALENDAR_2013_2014, invalidInput, isWeekend, requireAccess, tryParseDate } from '../../../../libs/domain/src';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { IsNotBlank, Optional, Pattern } from '../common/validation';
import type { HolidayArrangement, HolidaysRepository } from '../../../../libs/persistence/src';

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

export class HolidayYearsQueryDto {
  @ApiPropertyOptional({ description: 'years, comma-separated (default: every year loaded and built in)', example: '2026,2027' })
  @Optional()
  @IsString()
  @Pattern('^\\d{4}(,\\d{4}){0,9}$', '$property must be up to ten years, comma-separated')
  years?: string;
}

export class LoadHolidaysDto {
  @ApiProperty({ type: [String], description: 'days off (YYYY-MM-DD) of that year', maxItems: 60 })
  @IsArray()
  @ArrayMaxSize(60)
  @Pattern(DATE_PATTERN, '$property must hold dates YYYY-MM-DD', true)
  holidays!: string[];

  @ApiProperty({ type: [String], description: 'weekend days worked (调休, YYYY-MM-DD) of that year', maxItems: 30 })
  @IsArray()
  @ArrayMaxSize(30)
  @Pattern(DATE_PATTERN, '$property must hold dates YYYY-MM-DD', true)
  workdays!: string[];

  @ApiProperty({ maxLength: 200, description: 'where it comes from, e.g. 国办发明电〔2025〕7号' })
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  source!: string;
}

export class HolidayArrangementDto {
  @ApiProperty() year!: number;
  @ApiProperty({ type: [String] }) holidays!: string[];
  @ApiProperty({ type: [String] }) workdays!: string[];
  @ApiProperty() source!: string;
  @ApiProperty({ description: 'comes with massline (2013, 2014) rather than loaded by the office' }) builtIn!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) loadedAt!: string | null;
}
export class HolidayArrangementListDto {
  @ApiProperty({ type: [HolidayArrangementDto] }) items!: HolidayArrangementDto[];
}

/** The arrangements that come with massline, by year. */
const BUILT_IN: Map<number, { holidays: string[]; workdays: string[]; source: string }> = (() => {
  const m = new Map<number, { holidays: string[]; workdays: string[]; source: string }>();
  const notices: Record<number, string> = { 2013: '国办发明电〔2012〕33号', 2014: '国办发明电〔2013〕28号' };
  for (const year of [2013, 2014]) {
    m.set(year, {
      holidays: CN_CALENDAR_2013_2014.holidays.filter((d) => d.startsWith(`${year}-`)),
      workdays: CN_CALENDAR_2013_2014.workdays.filter((d) => d.startsWith(`${year}-`)),
      source: notices[year],
    });
  }
  return m;
})();

export class HolidaysService {
  constructor(private readonly repo: HolidaysRepository) {}

  async list(by: Principal, q: HolidayYearsQueryDto) {
    requireAccess(by, 'holidays.read');
    const asked = q.years ? [...new Set(q.years.split(',').map(Number))] : undefined;
    const stored = await this.repo.find(asked ?? Array.from({ length: 100 }, (_, i) => 2000 + i));
    const byYear = new Map<number, HolidayArrangementDto>();
    for (const [year, b] of BUILT_IN) if (!asked || asked.includes(year)) byYear.set(year, { year, ...b, builtIn: true, loadedAt: null });
    for (const s of stored) byYear.set(s.year, toDto(s));
    return { items: [...byYear.values()].sort((a, b) => a.year - b.year) };
  }

  async load(by: Principal, year: number, dto: LoadHolidaysDto) {
    requireAccess(by, 'holidays.load');
    if (year < 2000 || year > 2099) throw invalidInput('year', 'a year from 2000 to 2099', 'input.range');
    const check = (dates: string[], field: string) =>
      dates.forEach((d, i) => {
        if (tryParseDate(d) === undefined) throw invalidInput(`${field}[${i}]`, `${d} is not a date`, 'input.type');
        if (!d.startsWith(`${year}-`)) throw invalidInput(`${field}[${i}]`, `${d} is not in ${year}`, 'holidays.year', { year });
      });
    check(dto.holidays, 'holidays');
    check(dto.workdays, 'workdays');
    dto.workdays.forEach((d, i) => {
      if (!isWeekend(d)) throw invalidInput(`workdays[${i}]`, `${d} is not a weekend day`, 'holidays.workday-weekend');
      if (dto.holidays.includes(d)) throw invalidInput(`workdays[${i}]`, `${d} is also a day off`, 'holidays.both');
    });
    const saved = await this.repo.save({
      year,
      holidays: [...new Set(dto.holidays)].sort(),
      workdays: [...new Set(dto.workdays)].sort(),
      source: dto.source.trim(),
      loadedBy: by.id,
    });
    return toDto(saved);
  }
}

const toDto = (a: HolidayArrangement): HolidayArrangementDto => ({
  year: a.year,
  holidays: a.holidays,
  workdays: a.workdays,
  source: a.source,
  builtIn: false,
  loadedAt: a.loadedAt,
});

@ApiTags('console')
@ApiBearerAuth()
@Controller('api/holiday-arrangements')
export class HolidaysController {
  constructor(private readonly service: HolidaysService) {}

  @Get()
  @Access('holidays.read')
  @ApiOperation({ summary: 'Official holiday arrangements by year (built in: 2013, 2014; others as the office loaded them)' })
  @ApiOkResponse({ type: HolidayArrangementListDto })
  @ApiErrors(400, 401, 403)
  list(@CurrentPrincipal() p: Principal, @Query() q: HolidayYearsQueryDto) {
    return this.service.list(p, q);
  }

  @Put(':year')
  @Access('holidays.load')
  @ApiParam({ name: 'year', schema: { type: 'integer', minimum: 2000, maximum: 2099 } })
  @ApiOperation({ summary: "Load (or replace) a year's official arrangement: days off and weekend days worked" })
  @ApiOkResponse({ type: HolidayArrangementDto })
  @ApiErrors(400, 401, 403)
  load(@CurrentPrincipal() p: Principal, @Param('year', ParseIntPipe) year: number, @Body() dto: LoadHolidaysDto) {
    return this.service.load(p, year, dto);
  }
}
