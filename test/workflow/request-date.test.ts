import { expect } from 'chai';
import { requestDateKey } from '../../workflow/request-date.js';

describe('requestDateKey', () => {
  it('is the two fields before the last of a RequestName', () => {
    expect(
      requestDateKey('pdmvserv_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240115_093012_905'),
    ).to.equal('240115_093012');
    expect(
      requestDateKey('cmsunified_ACDC0_task_TOP-RunIIFall17wmLHEGS-00462__v1_T_201207_062607_770'),
    ).to.equal('201207_062607');
  });

  it('orders requests by creation time whatever their requestor', () => {
    const names = [
      'pdmvserv_task_TOP-RunIIFall17wmLHEGS-00462__v1_T_201015_153154_2761',
      'cmsunified_ACDC0_task_TOP-RunIIFall17wmLHEGS-00462__v1_T_201207_062607_770',
      'pdmvserv_task_EXO-RunIIFall18pLHE-00015__v1_T_190321_165657_1083',
    ];
    const sorted = [...names].sort((a, b) => requestDateKey(a).localeCompare(requestDateKey(b)));
    expect(sorted).to.deep.equal([names[2], names[0], names[1]]);
  });

  it('gives what Python’s split("_")[-3:-1] gives for short names', () => {
    expect(requestDateKey('a_b')).to.equal('a');
    expect(requestDateKey('plain')).to.equal('');
  });
});
