import picomatch from 'picomatch';
const p = process.argv[2], name = process.argv[3];
const m = picomatch([p], { dot: true, noextglob: true });
const t=Date.now(); m(name); console.log(Date.now()-t);
