import { describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/errors.js';
import { EVENT_COLUMNS } from '../domain/event.js';
import { parseColumnMap } from './format.js';

const targets = [...EVENT_COLUMNS];

describe('--map', () => {
  it('rejects a target column named twice, naming it, instead of letting the last win', () => {
    const parse = () => parseColumnMap('customer_id=cid,ts=when,customer_id=amt', targets);
    expect(parse).toThrow(ValidationError);
    expect(parse).toThrow(/--map names 'customer_id' twice \(customer_id=cid and customer_id=amt\)/);
    try {
      parse();
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([{ path: ['map', 'customer_id'], message: 'repeated target column' }]);
    }
  });

  it('lets one source column feed two targets', () => {
    expect(parseColumnMap('customer_id=id,member_id=id', targets)).toEqual({ customer_id: 'id', member_id: 'id' });
  });

  it('rejects a target that is not a known column', () => {
    expect(() => parseColumnMap('customer=cid', targets)).toThrow(/--map names unknown column 'customer'/);
  });
});
